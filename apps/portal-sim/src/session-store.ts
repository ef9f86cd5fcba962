// Server-side sessions behind the ASP.NET_SessionId cookie: idle and absolute expiry on the
// injected clock, optional one-session-per-user, and the per-session form drafts.
import { randomBytes } from 'node:crypto';
import type { ProposalDraft } from './proposal/draft';

export interface Session {
  readonly id: string;
  readonly username: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Drafts by form token (default mode: each form carries its own token). */
  readonly drafts: Map<string, ProposalDraft>;
  /** The single WebForms-style draft (formStateInSession mode). */
  currentDraft?: ProposalDraft;
}

export interface SessionStoreOptions {
  idleTtlMs: number;
  absoluteTtlMs: number;
  singleSessionPerUser: boolean;
  now: () => number;
}

// ASP.NET session ids are 24 characters of a-z and 0-5.
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz012345';

function newSessionId(): string {
  const bytes = randomBytes(24);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte & 31];
  return id;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: SessionStoreOptions) {}

  create(username: string): Session {
    if (this.options.singleSessionPerUser) this.kill(username);
    const now = this.options.now();
    const session: Session = { id: newSessionId(), username, createdAt: now, lastSeenAt: now, drafts: new Map() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for `id`, its idle timer restarted; expired sessions are dropped here. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.options.now();
    if (this.isExpired(session, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of `username`, or every session at all; returns how many ended. */
  kill(username?: string): number {
    let killed = 0;
    for (const [id, session] of this.sessions) {
      if (username === undefined || session.username === username) {
        this.sessions.delete(id);
        killed++;
      }
    }
    return killed;
  }

  activeCount(): number {
    const now = this.options.now();
    for (const [id, session] of this.sessions) if (this.isExpired(session, now)) this.sessions.delete(id);
    return this.sessions.size;
  }

  private isExpired(session: Session, now: number): boolean {
    return now - session.lastSeenAt > this.options.idleTtlMs || now - session.createdAt > this.options.absoluteTtlMs;
  }
}
