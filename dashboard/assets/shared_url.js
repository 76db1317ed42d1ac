// Shareable URLs (dashboard/shared_url.py): write the filters' query string into the address bar in place,
// without a reload and without a new history step.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cijobs: {
        writeQuery: function (query) {
            if (query === undefined || query === null) {
                return window.dash_clientside.no_update;
            }
            var url = window.location.pathname + query + window.location.hash;
            if (url !== window.location.pathname + window.location.search + window.location.hash) {
                window.history.replaceState(window.history.state, "", url);
            }
            return query;
        }
    }
});
