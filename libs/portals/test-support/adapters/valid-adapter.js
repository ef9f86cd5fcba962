// A minimal adapter module in plain JavaScript, as a user would ship one: loaded by path.
const { z } = require('zod');

const notUsedHere = () => Promise.reject(new Error('not driven in loader tests'));

exports.createAdapter = (options) => ({
  id: 'acme-motor',
  origin: options.baseUrl,
  payloadSchema: z.object({ policyNo: z.string() }),
  selectors: { loginForm: '#login', loggedIn: '#home', loginUrlPatterns: [/^\/login$/] },
  fillSteps: ['policy'],
  businessKey: (payload) => payload.policyNo,
  login: notUsedHere,
  probe: notUsedHere,
  fillStep: notUsedHere,
  submit: notUsedHere,
  findSubmission: notUsedHere,
});
