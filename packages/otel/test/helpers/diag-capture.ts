// One implementation for both packages: transport-http's, which inspects every argument deeply
// (own properties and cause chains), so that the secret sweeps here see what a logger would.
export {
  captureDiag,
  type DiagCapture,
} from '../../../transport-http/test/helpers/diag-capture.js';
