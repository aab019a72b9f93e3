#!/bin/sh
# Copy the front-end packages from node_modules into the git-ignored static folder.
set -eu
dest=app/static/vendor
rm -rf "$dest"
mkdir -p "$dest/designsystemet" "$dest/swagger-ui"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/@digdir/designsystemet-css/dist/src/index.css "$dest/designsystemet/index.css"
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css "$dest/designsystemet/theme.css"
# Swagger UI for /api/docs: the bundle and its style sheet only (the page and its start script
# are ours: app/api_docs.py, templates/api/docs.html, app/static/api-docs.js).
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js "$dest/swagger-ui/swagger-ui-bundle.js"
cp node_modules/swagger-ui-dist/swagger-ui.css "$dest/swagger-ui/swagger-ui.css"
echo "front-end assets copied to $dest"
