// Test support published by libs/portals under `@engine/portals/testing`: what other packages'
// tests may use of it (a local captcha-solving service for the HTTP solver).
export * from './fake-captcha-service';
