// Starts GraphiQL against this gateway's /graphql, with a first query that shows the
// demo contact center at once. An API key goes into the Headers tab as
// {"Authorization": "Bearer <key>"}.
(function () {
  var defaultQuery = [
    '# Welcome to Switchboard: one graph over the contact-center vendors.',
    '# Run this query (Ctrl-Enter), then explore the schema with the Docs button.',
    'query TeamsWithMembersAndPresence {',
    '  teams(first: 10) {',
    '    totalCount',
    '    nodes {',
    '      id',
    '      name',
    '      vendor',
    '      members(first: 20) {',
    '        nodes { id displayName email }',
    '      }',
    '      presence(first: 20) {',
    '        nodes { agentId availability }',
    '      }',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');
  var fetcher = GraphiQL.createFetcher({ url: new URL('graphql', window.location.href).toString() });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery }));
})();
