// Starts the console from a file rather than an inline script: the server's Content-Security-Policy for
// /console/ is script-src 'self' (no inline scripts).
import init from './tally-console.js';
init({ module_or_path: new URL('./tally-console_bg.wasm', import.meta.url) });
