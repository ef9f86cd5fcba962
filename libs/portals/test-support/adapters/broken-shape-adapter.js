// Exports something adapter-like with the mistakes a plugin author makes.
exports.adapter = {
  id: 'Bad Id',
  origin: 'https://portal.example/login',
  payloadSchema: {},
  selectors: { loginForm: '#login', loginUrlPatterns: ['/login'] },
  fillSteps: [],
  login: () => undefined,
};
