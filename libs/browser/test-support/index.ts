// What other packages' tests may use of the browser layer's test support (@engine/browser/testing).
export { startLocalS3, type LocalS3 } from './s3-server';
