// Where the portal simulator's pages are and how to recognise them.
import type { ProbeSelectors } from '@engine/browser';

export const PORTAL_SIM_PATHS = {
  login: '/Login.aspx',
  dashboard: '/Dashboard.aspx',
  vehicle: '/Proposal/Vehicle.aspx',
  customer: '/Proposal/Customer.aspx',
  quote: '/Proposal/Quote.aspx',
  confirm: '/Proposal/Confirm.aspx',
  done: '/Proposal/Done.aspx',
  search: '/Search.aspx',
} as const;

export const PORTAL_SIM_SELECTORS = {
  loginForm: '#txtUserName',
  loggedIn: '#divMainMotors',
  loginUrlPatterns: [/^\/Login\.aspx$/i],
  loggedInUrlPatterns: [/^\/Dashboard\.aspx$/i],
} satisfies ProbeSelectors;
