// Error pages in the style of an ASP.NET portal: the 500 "Server Error", 404, 405 and a
// generic 400 for posts that cannot be read at all.
import type { FieldErrors } from '../proposal/validation';
import { escapeHtml, fieldError, layout } from './html';

export function serverErrorPage(): string {
  return `<!DOCTYPE html><html><head><title>Runtime Error</title></head><body>
<h1 id="serverError">Server Error in '/' Application.</h1>
<h2><i>Runtime Error</i></h2>
<p>An application error occurred on the server. The current custom error settings for this application prevent the details of the application error from being viewed remotely.</p>
</body></html>`;
}

export function notFoundPage(): string {
  return layout('Not found', `<h1 id="notFound">The resource cannot be found.</h1>`);
}

export function methodNotAllowedPage(): string {
  return layout('Method not allowed', `<h1 id="methodNotAllowed">The HTTP verb used to access this page is not allowed.</h1>`);
}

/** A post that could not be read (wrong encoding, oversize, missing form token). */
export function badRequestPage(errors: FieldErrors): string {
  const items = Object.keys(errors)
    .map((field) => `<li>${fieldError(errors, field)}</li>`)
    .join('');
  return layout('Bad request', `<h1 id="badRequest">The request could not be processed.</h1><ul id="errorList">${items}</ul>
<p><a href="/Dashboard.aspx">${escapeHtml('Back to the dashboard')}</a></p>`);
}
