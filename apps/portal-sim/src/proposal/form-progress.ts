// Where a proposal's progress lives between steps. By default each form carries its own token,
// so two clones of one session filling at once keep separate drafts. With formStateInSession
// the session holds one draft, as WebForms portals do: a second fill started in the same
// session takes it over, and the form token rendered on every step page changes under the
// first fill — that change is the symptom the engine can detect.
import { randomBytes } from 'node:crypto';
import type { Session } from '../session-store';
import type { ProposalDraft } from './draft';

export interface FormProgress {
  /** Whether step posts must carry the __FORMTOKEN field. */
  readonly tokenRequired: boolean;
  /** Starts a new proposal: the first step opened without a token. */
  start(session: Session): ProposalDraft;
  /** The draft a request continues, or undefined when it is unknown or gone. */
  find(session: Session, token: string | undefined): ProposalDraft | undefined;
  finish(session: Session, draft: ProposalDraft): void;
  /** The address of a step page for this draft. */
  stepUrl(path: string, draft: ProposalDraft): string;
}

// Open tabs are cheap for a user but not for the server: an old draft makes way for a new one.
const MAX_DRAFTS_PER_SESSION = 20;

function newDraft(): ProposalDraft {
  return { token: randomBytes(12).toString('hex'), quoteAccepted: false };
}

export const tokenFormProgress: FormProgress = {
  tokenRequired: true,
  start(session) {
    const draft = newDraft();
    session.drafts.set(draft.token, draft);
    if (session.drafts.size > MAX_DRAFTS_PER_SESSION) session.drafts.delete(session.drafts.keys().next().value as string);
    return draft;
  },
  find(session, token) {
    return token === undefined ? undefined : session.drafts.get(token);
  },
  finish(session, draft) {
    session.drafts.delete(draft.token);
  },
  stepUrl(path, draft) {
    return `${path}?ft=${draft.token}`;
  },
};

export const sessionFormProgress: FormProgress = {
  tokenRequired: false,
  start(session) {
    session.currentDraft = newDraft();
    return session.currentDraft;
  },
  find(session) {
    return session.currentDraft;
  },
  finish(session, draft) {
    if (session.currentDraft === draft) session.currentDraft = undefined;
  },
  stepUrl(path) {
    return path;
  },
};
