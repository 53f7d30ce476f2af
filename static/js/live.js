// A WebSocket that reconnects with backoff and reports sequence gaps per stream.
// Usage: DinariLive.connect("/ws/nodes/", {onEvent(ev){}, onGap(stream, from, to){}, onState(s){}})
(function () {
  "use strict";
  function connect(path, handlers) {
    var lastSeq = {};
    var delay = 500;
    var socket = null;
    var stopped = false;
    function state(s) { if (handlers.onState) handlers.onState(s); }
    function open() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + window.location.host + path);
      state("connecting");
      socket.onopen = function () { delay = 500; state("live"); if (handlers.onOpen) handlers.onOpen(); };
      socket.onmessage = function (msg) {
        var ev;
        try { ev = JSON.parse(msg.data); } catch (e) { return; }
        var prev = lastSeq[ev.stream];
        if (prev !== undefined && ev.seq > prev + 1 && handlers.onGap) handlers.onGap(ev.stream, prev + 1, ev.seq - 1);
        if (prev === undefined || ev.seq > prev) lastSeq[ev.stream] = ev.seq;
        handlers.onEvent(ev);
      };
      socket.onclose = function (e) {
        if (stopped) return;
        if (e.code === 4401 || e.code === 4403) { state("refused"); return; }
        state("reconnecting");
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
    return { close: function () { stopped = true; if (socket) socket.close(); } };
  }
  window.DinariLive = { connect: connect };
})();
