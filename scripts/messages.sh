#!/bin/sh
# Extract translatable strings into app/locale/messages.pot and bring the nynorsk and English
# catalogues up to date. Then translate every empty msgstr in app/locale/*/LC_MESSAGES/messages.po
# (tests/core/test_i18n.py fails while one is missing). No .mo files: app/i18n.py compiles the
# .po files in memory.
#
# Which files and which keywords (lazy, the domain exceptions) are extracted is in babel.cfg.
# Usage: sh scripts/messages.sh        (PYBABEL=... to use another pybabel)
set -eu
cd "$(dirname "$0")/.."

PYBABEL=${PYBABEL:-.venv/bin/pybabel}
LOCALE_DIR=app/locale
POT=$LOCALE_DIR/messages.pot
LANGUAGES="nn en"

mkdir -p "$LOCALE_DIR"
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.a" "$tmp.b"' EXIT INT TERM

# Paths in babel.cfg are relative to the repository root, so extract from ".".
$PYBABEL -q extract -F babel.cfg -k lazy --no-location --sort-output \
    --project=Samspill --copyright-holder="Samspill" -o "$tmp" .

# Keep the committed template when only its creation date would change (no noise in git).
if [ -f "$POT" ]; then
    grep -v '^"POT-Creation-Date:' "$POT" >"$tmp.a" || true
    grep -v '^"POT-Creation-Date:' "$tmp" >"$tmp.b" || true
    if cmp -s "$tmp.a" "$tmp.b"; then
        cp "$POT" "$tmp"
    fi
fi
cp "$tmp" "$POT"

for lang in $LANGUAGES; do
    po=$LOCALE_DIR/$lang/LC_MESSAGES/messages.po
    if [ -f "$po" ]; then
        $PYBABEL -q update -i "$POT" -d "$LOCALE_DIR" -l "$lang" -D messages \
            --no-fuzzy-matching --ignore-obsolete
    else
        $PYBABEL -q init -i "$POT" -d "$LOCALE_DIR" -l "$lang" -D messages
    fi
done

total=$(grep -c '^msgid ' "$POT")
echo "messages.pot: $((total - 1)) messages"
for lang in $LANGUAGES; do
    po=$LOCALE_DIR/$lang/LC_MESSAGES/messages.po
    # An untranslated entry ends with msgstr "" followed by a blank line (or the end).
    missing=$(awk '/^msgstr ""$/ {m = 1; next} m && /^"/ {m = 0; next} m {n++; m = 0}
                   END {if (m) n++; print n + 0}' "$po")
    echo "$lang: $missing untranslated"
done
