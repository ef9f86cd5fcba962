// Where an alert points a reader: the inspector page of the server, at the portal's master
// session (the stream whose recovery or failure rate the alert is about), or at the list of
// streams when the alert names no portal. Built from the server's public base URL, which is
// configuration without credentials; nothing else of the alert goes into it but the portal id.
import type { Alert } from '@engine/core';

/** `https://engine.example/inspector#/stream/master-portal-a` for an alert on `portal-a`. */
export function inspectorLink(publicUrl: string, alert: Pick<Alert, 'portal'>): string {
  const base = publicUrl.replace(/\/+$/, '');
  return alert.portal ? `${base}/inspector#/stream/${encodeURIComponent(`master-${alert.portal}`)}` : `${base}/inspector#/`;
}
