// GraphiQL on /api/v1/graphql with this page's session cookie: the POST
// carries the X-CSRF-Token header read from the csrf_token cookie, exactly
// as the web UI does. A file, not an inline script: the CSP allows no inline.
(function () {
  "use strict";
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrf_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function fetcher(params) {
    return fetch("/api/v1/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf() },
      body: JSON.stringify(params),
    }).then(function (r) { return r.json(); });
  }
  var root = document.getElementById("graphiql");
  if (!window.GraphiQL || !window.React || !window.ReactDOM) {
    root.textContent = "GraphiQL's files are missing: run `make vendor` on the server.";
    return;
  }
  var start = "# chatd GraphQL: the same data and rules as the REST API (docs/api.md)\n{\n  me { username displayName }\n  conversations(first: 20) { items { id title unread lastMessage { body createdAt } } }\n}\n";
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: start }));
})();
