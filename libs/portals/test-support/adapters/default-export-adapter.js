// An adapter module with a ready-made adapter as its default export.
const { createAdapter } = require('./valid-adapter');

module.exports = { default: { ...createAdapter({ baseUrl: 'https://other.example' }), id: 'other-portal' } };
