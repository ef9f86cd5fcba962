// HTML building blocks shared by every page: escaping, the master page, field errors.
import type { FieldErrors } from '../proposal/validation';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface LayoutOptions {
  username?: string;
  scripts?: readonly string[];
}

/** The master page: a header with the signed-in user, then the content. */
export function layout(title: string, content: string, options: LayoutOptions = {}): string {
  const userBar = options.username
    ? `<div id="divUser">Signed in as <span id="lblUserName">${escapeHtml(options.username)}</span> | <a id="lnkLogoutTop" href="/Logout.aspx">Log out</a></div>`
    : '';
  const scripts = (options.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}"></script>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Motor Insurance Portal</title>
<link rel="stylesheet" href="/Content/site.css"></head>
<body><div id="header"><span class="brand">Motor Insurance Portal</span>${userBar}</div>
<div id="content">${content}</div>${scripts}
<div id="footer">&copy; Example Assurance Ltd.</div></body></html>`;
}

export function fieldError(errors: FieldErrors | undefined, field: string): string {
  const message = errors?.[field];
  return message ? `<span class="field-error" data-field="${escapeHtml(field)}">${escapeHtml(message)}</span>` : '';
}

/** A labelled text input with its value kept and its error shown next to it. */
export function textInput(
  id: string,
  label: string,
  values: Record<string, string> | undefined,
  errors: FieldErrors | undefined,
  attributes = '',
): string {
  const value = values?.[id] ?? '';
  return `<div class="field"><label for="${id}">${escapeHtml(label)}</label>
<input type="text" id="${id}" name="${id}" value="${escapeHtml(value)}"${attributes ? ' ' + attributes : ''}>${fieldError(errors, id)}</div>`;
}

export function errorSummary(errors: FieldErrors | undefined): string {
  if (!errors || Object.keys(errors).length === 0) return '';
  return `<div id="valSummary" class="validation-summary" role="alert">Please correct the highlighted fields.</div>`;
}
