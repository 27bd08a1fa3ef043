/* Tally loader, hand-written: after load and in idle time, one <tally-widget> with an open shadow
   root, then the wasm glue beside this file. window.Tally queues calls until it is mounted.
   No Array.prototype methods: a host page may have broken them. */
(function () {
  // scripts/package-widget fills in hashed names and their SRI hashes; empty here, nothing is checked.
  var GLUE = 'tally-widget.js', WASM = 'tally-widget_bg.wasm', GLUE_SRI = '', WASM_SRI = '';
  var F = window.fetch; // the wasm's fetch, taken before later scripts can patch it
  var s = document.currentScript || document.querySelector('script[src*="tally"][data-shop]');
  if (!s || (window.Tally && window.Tally.v)) return;
  var d = s.dataset, src = new URL(s.src, location.href), base = new URL('.', src).href;
  var queue = [], widget = null, host = null, dead = false;
  var warn = function (m) { console.warn('[tally] ' + m); };
  var call = function (name, args) {
    if (dead) return;
    if (!widget) return void (queue[queue.length] = [name, args]);
    try { widget[name].apply(widget, args); } catch (e) { warn(name + ': ' + e); }
  };
  var T = { v: 1 };
  var names = ['open', 'close', 'refresh', 'setCustomer', 'setTheme'];
  for (var i = 0; i < names.length; i++) (function (n) {
    T[n] = function () { call(n, Array.prototype.slice.call(arguments)); };
  })(names[i]);
  T.destroy = function () {
    dead = true; queue = [];
    try { if (widget) widget.destroy(); } catch (e) { /* already gone */ }
    if (host) host.remove();
    widget = host = null;
  };
  window.Tally = T;

  function unusable(file) {
    return 'could not load ' + file + ': blocked, unreachable' + (GLUE_SRI ? ', or not matching its integrity hash' : '');
  }

  function start() {
    if (dead) return;
    var cfg = Object.assign({}, d), parent = document.body;
    if (cfg.mode === 'inline') {
      var t = null;
      try { t = cfg.target && document.querySelector(cfg.target); } catch (e) { /* bad selector */ }
      if (t) parent = t;
      else { warn('data-target ' + JSON.stringify(cfg.target || '') + ' not found; showing the launcher'); cfg.mode = 'launcher'; }
    }
    host = document.createElement('tally-widget');
    var root = host.attachShadow({ mode: 'open' });
    parent.appendChild(host);
    // With SRI, a modulepreload checks the glue before import() takes it from the module map.
    new Promise(function (ok, no) {
      if (!GLUE_SRI) return ok();
      var l = document.createElement('link');
      l.rel = 'modulepreload'; l.href = base + GLUE; l.integrity = GLUE_SRI; l.crossOrigin = 'anonymous';
      l.onload = ok; l.onerror = function () { no(Error(unusable(GLUE))); };
      document.head.appendChild(l);
    }).then(function () { return import(base + GLUE); }).then(function (m) {
      var wasm = Promise.resolve(F(base + WASM, WASM_SRI ? { integrity: WASM_SRI } : {})).catch(function () { throw Error(unusable(WASM)); });
      return m.default({ module_or_path: wasm }).then(function () {
        if (dead) return;
        widget = m.mount(root, cfg, src.origin, base);
        if (!widget) return T.destroy();
        document.dispatchEvent(new CustomEvent('tally:ready'));
        var q = queue; queue = [];
        for (var j = 0; j < q.length; j++) call(q[j][0], q[j][1]);
      });
    }).catch(function (e) {
      warn('could not start: ' + (/WebAssembly/.test(e) && /CSP|Content.Security.Policy/i.test(e)
        ? "this page's Content-Security-Policy must allow 'wasm-unsafe-eval' in script-src" : e));
      T.destroy();
    });
  }
  var idle = function () {
    if (window.requestIdleCallback) requestIdleCallback(start, { timeout: 2000 });
    else setTimeout(start, 1);
  };
  if (document.readyState === 'complete') idle();
  else addEventListener('load', idle);
})();
