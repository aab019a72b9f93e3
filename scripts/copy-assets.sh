#!/bin/sh
# Copy the front-end packages from node_modules into the git-ignored static folder.
set -eu
dest=app/static/vendor
rm -rf "$dest"
mkdir -p "$dest/designsystemet"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/@digdir/designsystemet-css/dist/src/index.css "$dest/designsystemet/index.css"
cp node_modules/@digdir/designsystemet-theme/brand/digdir.css "$dest/designsystemet/theme.css"
echo "front-end assets copied to $dest"
