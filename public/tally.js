/* Tally loader, hand-written: after load and in idle time, one <tally-widget> with an open shadow
   root, then the wasm glue beside this file. window.Tally queues calls until it is mounted. */
(function () {
  var s = document.currentScript || document.querySelector('script[src*="tally.js"][data-shop]');
  if (!s || (window.Tally && window.Tally.v)) return;
  var d = s.dataset, src = new URL(s.src, location.href), base = new URL('.', src).href;
  var queue = [], widget = null, host = null, dead = false;
  var warn = function (m) { console.warn('[tally] ' + m); };
  var call = function (name, args) {
    if (dead) return;
    if (!widget) return void queue.push([name, args]);
    try { widget[name].apply(widget, args); } catch (e) { warn(name + ': ' + e); }
  };
  var T = { v: 1 };
  ['open', 'close', 'refresh', 'setCustomer'].forEach(function (n) {
    T[n] = function () { call(n, [].slice.call(arguments)); };
  });
  T.destroy = function () {
    dead = true; queue = [];
    try { if (widget) widget.destroy(); } catch (e) { /* already gone */ }
    if (host) host.remove();
    widget = host = null;
  };
  window.Tally = T;

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
    import(base + 'tally-widget.js').then(function (m) {
      return m.default({ module_or_path: base + 'tally-widget_bg.wasm' }).then(function () {
        if (dead) return;
        widget = m.mount(root, cfg, src.origin);
        if (!widget) return T.destroy();
        document.dispatchEvent(new CustomEvent('tally:ready'));
        var q = queue; queue = [];
        q.forEach(function (c) { call(c[0], c[1]); });
      });
    }).catch(function (e) {
      warn('could not start: ' + e);
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
