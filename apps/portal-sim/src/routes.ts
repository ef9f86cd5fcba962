// The portal's page map.
import { getCaptchaImage } from './handlers/captcha.handler';
import { getLogin, getLogout, postLogin } from './handlers/login.handler';
import { getDashboard, getRoot, getSearch } from './handlers/pages.handler';
import {
  getConfirm,
  getCustomer,
  getDone,
  getModels,
  getQuote,
  getVehicle,
  postConfirm,
  postCustomer,
  postQuote,
  postVehicle,
} from './handlers/proposal.handler';
import { getFavicon, getSiteCss, getVehicleJs } from './handlers/static.handler';
import { Router } from './router';

export function portalRoutes(): Router {
  return new Router()
    .public('/Login.aspx', { GET: getLogin, POST: postLogin })
    .public('/Captcha.ashx', { GET: getCaptchaImage })
    .public('/Content/site.css', { GET: getSiteCss })
    .public('/Scripts/vehicle.js', { GET: getVehicleJs })
    .public('/favicon.ico', { GET: getFavicon })
    .public('/Logout.aspx', { GET: getLogout })
    .protected('/', { GET: getRoot })
    .protected('/Default.aspx', { GET: getRoot })
    .protected('/Dashboard.aspx', { GET: getDashboard })
    .protected('/Search.aspx', { GET: getSearch })
    .protected('/Proposal/Vehicle.aspx', { GET: getVehicle, POST: postVehicle })
    .protected('/Proposal/Customer.aspx', { GET: getCustomer, POST: postCustomer })
    .protected('/Proposal/Quote.aspx', { GET: getQuote, POST: postQuote })
    .protected('/Proposal/Confirm.aspx', { GET: getConfirm, POST: postConfirm })
    .protected('/Proposal/Done.aspx', { GET: getDone })
    .protected('/api/models', { GET: getModels });
}
