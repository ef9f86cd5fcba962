// An alert as a Slack-compatible incoming-webhook message (Slack, Mattermost and others read the
// same shape): `text` is the one-line fallback shown in notifications, `blocks` the message
// people read, one section with the level, code, portal, time and message and, when the
// server's public URL is known, a link to the inspector. Alert text is escaped for mrkdwn (the
// fallback too: notifications parse it), so a message cannot forge a link or a mention.
import type { Alert } from '@engine/core';

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

type MrkdwnText = { type: 'mrkdwn'; text: string };
export type SlackBlock = { type: 'section'; text: MrkdwnText; fields?: MrkdwnText[] };

/** Slack's limit for a section's text is 3000 characters; a long message is cut well below it. */
const MAX_MESSAGE = 2_000;

export function slackMessage(alert: Alert, link?: string): SlackMessage {
  const level = alert.level.toUpperCase();
  const where = alert.portal ? ` on ${alert.portal}` : '';
  const message = alert.message.length > MAX_MESSAGE ? `${alert.message.slice(0, MAX_MESSAGE)}…` : alert.message;
  const lines = [`*${level}* ${escape(alert.code)}${escape(where)}`, escape(message)];
  if (link) lines.push(`<${link}|Open in the inspector>`);
  const field = (name: string, value: string): MrkdwnText => ({ type: 'mrkdwn', text: `*${name}*\n${escape(value)}` });
  return {
    text: `[${level}] ${escape(`${alert.code}${where}: ${message}`)}${link ? ` ${link}` : ''}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: lines.join('\n') },
        fields: [field('Level', alert.level), field('Code', alert.code), field('Portal', alert.portal ?? '—'), field('At', alert.at)],
      },
    ],
  };
}

/** The three characters mrkdwn gives meaning to (links, mentions), as Slack documents. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
