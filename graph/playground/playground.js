// Starts GraphiQL on the page served at /graphql. Served from the binary
// (graph/playground), loaded by a <script src>: the page's CSP allows no
// inline script.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  if (!root) return;
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    root.innerHTML = '';
    var p = document.createElement('p');
    p.className = 'notice';
    p.textContent = 'The playground files did not load. Run "make assets", rebuild and restart the server.';
    root.appendChild(p);
    return;
  }

  var endpoint = new URL(root.getAttribute('data-endpoint') || '/graphql', window.location.href);
  var wsEndpoint = new URL(endpoint.href);
  wsEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  // The headers editor starts with this hint. Until a real key replaces it,
  // the hint is not sent, so the schema still loads (introspection needs no key).
  var placeholder = 'Bearer <your API key>';
  var defaultHeaders = JSON.stringify({ Authorization: placeholder }, null, 2);

  function withoutPlaceholders(headers) {
    var out = {};
    Object.keys(headers || {}).forEach(function (k) {
      var v = headers[k];
      if (typeof v === 'string' && v.indexOf('<') !== -1) return;
      out[k] = v;
    });
    return out;
  }

  // Subscriptions go over graphql-transport-ws; the headers (with the key)
  // become the connection_init payload.
  var inner = GraphiQL.createFetcher({ url: endpoint.href, subscriptionUrl: wsEndpoint.href });
  function fetcher(params, opts) {
    var o = Object.assign({}, opts || {});
    o.headers = withoutPlaceholders(o.headers);
    return inner(params, o);
  }

  var defaultQuery = [
    '# Paste an API key into the Headers tab below, then run:',
    'query Viewer {',
    '  viewer {',
    '    tenant { id name }',
    '    scopes',
    '  }',
    '}',
    ''
  ].join('\n');

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      defaultEditorToolsVisibility: 'headers',
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    })
  );
})();
