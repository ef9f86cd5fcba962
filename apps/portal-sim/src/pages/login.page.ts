// The login page: user name, password and an image captcha, in a WebForms-style form#form1.
import type { FieldErrors } from '../proposal/validation';
import { escapeHtml, fieldError, layout } from './html';

export interface LoginPageModel {
  captchaId: string;
  returnUrl?: string;
  username?: string;
  error?: string;
  fieldErrors?: FieldErrors;
}

export function loginPage(model: LoginPageModel): string {
  const action = model.returnUrl ? `/Login.aspx?ReturnUrl=${encodeURIComponent(model.returnUrl)}` : '/Login.aspx';
  const captchaId = escapeHtml(model.captchaId);
  return layout(
    'Log in',
    `<h1>Log in</h1>
<form id="form1" method="post" action="${escapeHtml(action)}">
<input type="hidden" id="hdnCaptchaId" name="__CAPTCHAID" value="${captchaId}">
<div class="field"><label for="txtUserName">User name</label>
<input type="text" id="txtUserName" name="txtUserName" value="${escapeHtml(model.username ?? '')}" autocomplete="username">${fieldError(model.fieldErrors, 'txtUserName')}</div>
<div class="field"><label for="txtPassword">Password</label>
<input type="password" id="txtPassword" name="txtPassword" autocomplete="current-password">${fieldError(model.fieldErrors, 'txtPassword')}</div>
<div class="field"><img id="imgCaptcha" src="/Captcha.ashx?id=${captchaId}" alt="Security code" width="180" height="60"></div>
<div class="field"><label for="txtCaptcha">Type the characters shown</label>
<input type="text" id="txtCaptcha" name="txtCaptcha" autocomplete="off">${fieldError(model.fieldErrors, 'txtCaptcha')}${fieldError(model.fieldErrors, '__CAPTCHAID')}</div>
<span id="lblError" class="error">${escapeHtml(model.error ?? '')}</span>
<div class="actions"><input type="submit" id="btnLogin" name="btnLogin" value="Log in"></div>
</form>`,
  );
}
