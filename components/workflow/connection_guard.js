// Connection guard for field pages: while the browser is offline or the page's socket is down,
// a full-width banner says so and the whole page is made inert (no tap, no typing), so no action
// can be taken that would not reach the server. When the socket is back (and the handshake done),
// the banner goes and the page asks the server to redraw from the database ("ccrm_reconnected"),
// so the crew sees exactly what was saved. An action the server never answered (sent just before
// the loss was detected) is called out in the banner, and the redraw shows whether it arrived.
(() => {
  let lastActionAt = 0;
  let lastAnswerAt = 0;
  let offline = false;

  const banner = () => document.getElementById("ccrm-offline");
  const connected = () => navigator.onLine && window.socket && window.socket.connected && window.did_handshake;

  function block() {
    const app = document.getElementById("app");
    if (app) app.inert = true;
    const unanswered = lastActionAt > lastAnswerAt;
    banner().querySelector("[data-detail]").textContent = unanswered
      ? "Your last action may not have reached the server — check it once the connection is back."
      : "Nothing can be changed until the connection is back.";
    banner().hidden = false;
    if (!offline) {
      offline = true;
      document.body.dataset.connection = "offline";
    }
  }

  function release() {
    if (!offline || !connected()) return;
    offline = false;
    document.body.dataset.connection = "online";
    banner().hidden = true;
    const app = document.getElementById("app");
    if (app) app.inert = false;
    window.emitEvent("ccrm_reconnected");
  }

  function watchSocket() {
    const socket = window.socket;
    if (!socket || !socket.io) {
      setTimeout(watchSocket, 50);
      return;
    }
    const emit = socket.emit.bind(socket);
    socket.emit = (name, ...args) => {
      if (name === "event") lastActionAt = Date.now();
      return emit(name, ...args);
    };
    socket.onAny(() => (lastAnswerAt = Date.now()));
    socket.on("disconnect", block);
    socket.io.on("reconnect_attempt", () => offline || block());
    // release after NiceGUI's own connect handler has finished the handshake
    socket.on("connect", () => setTimeout(function retry() {
      if (window.did_handshake) release();
      else if (socket.connected) setTimeout(retry, 50);
    }, 0));
    document.body.dataset.connection = "online";
  }

  window.addEventListener("offline", block);
  window.addEventListener("online", release);
  watchSocket();
})();
