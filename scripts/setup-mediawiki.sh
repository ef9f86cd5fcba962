#!/usr/bin/env bash
# MediaWiki from Debian's packages, the real third-party application the engine's tests log into
# (issue 15, item 5). Run as root on Debian. Idempotent.
#
#   setup-mediawiki.sh --packages-only      install Debian's mediawiki + PHP packages, then exit
#   setup-mediawiki.sh <dir> <port>         also create a throwaway SQLite wiki in <dir> (empty or
#                                           absent), served at http://127.0.0.1:<port>
#   setup-mediawiki.sh --serve <dir> <port> serve that wiki with PHP's built-in server (exec)
#
# The administrator comes from the environment, never from argv: MW_ADMIN_USER (default Admin)
# and MW_ADMIN_PASSWORD (10+ characters, MediaWiki's policy for administrators).
#
# The wiki's code stays in /usr/share/mediawiki (the docroot); everything that belongs to one
# wiki (LocalSettings.php, the SQLite files, caches) lives in <dir>, and MW_CONFIG_FILE points
# MediaWiki's entry points at it, so several wikis can run side by side without touching /etc.
set -euo pipefail

MW_CODE=/usr/share/mediawiki

install_packages() {
  # php-cli is what serves the wiki (php -S); php-sqlite3 its database. Recommends are left
  # out (a MySQL server, imagemagick...). mediawiki itself depends on a web server, so apt
  # brings apache2 (started on port 80 where policy-rc.d allows it); the tests do not use it.
  local packages=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml)
  local missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup-mediawiki: installing ${missing[*]} with apt-get"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
}

serve() {
  local dir=$1 port=$2
  # Several workers: a browser loads a page's styles and scripts while the engine runs two jobs.
  export MW_CONFIG_FILE="$dir/LocalSettings.php"
  export PHP_CLI_SERVER_WORKERS="${PHP_CLI_SERVER_WORKERS:-4}"
  exec php -S "127.0.0.1:$port" -t "$MW_CODE"
}

create_wiki() {
  local dir=$1 port=$2
  if [ -f "$dir/LocalSettings.php" ]; then
    echo "setup-mediawiki: $dir already holds a wiki"
    return 0
  fi
  : "${MW_ADMIN_PASSWORD:?MW_ADMIN_PASSWORD must hold the administrator password}"
  local admin="${MW_ADMIN_USER:-Admin}"
  mkdir -p "$dir/data" "$dir/cache"

  # The password reaches install.php on stdin (--passfile), so it is in no process's argv.
  printf '%s' "$MW_ADMIN_PASSWORD" | php "$MW_CODE/maintenance/install.php" \
    --quiet --confpath "$dir" --dbtype sqlite --dbpath "$dir/data" --dbname wiki \
    --server "http://127.0.0.1:$port" --scriptpath "" --lang en --skins Vector \
    --passfile php://stdin "Engine Test Wiki" "$admin" >"$dir/install.log"

  cat >>"$dir/LocalSettings.php" <<PHP

# --- settings for the engine's tests (scripts/setup-mediawiki.sh) ---
# Per-wiki state lives in this folder, not in /var/lib/mediawiki.
\$wgCacheDirectory = "$dir/cache";
\$wgEnableUploads = false;
\$wgEnableEmail = false;
# Sessions in the database, so a test can expire them on the server side.
\$wgMainCacheType = CACHE_NONE;
\$wgSessionCacheType = CACHE_DB;
# Hundreds of logins and edits in a minute are the point of the tests, not abuse.
\$wgRateLimits = [];
\$wgGroupPermissions['user']['noratelimit'] = true;
\$wgPasswordAttemptThrottle = false;
\$wgAccountCreationThrottle = 0;
# Only a logged-in user may edit: a save after the session expired must fail, not land as an
# anonymous edit.
\$wgGroupPermissions['*']['edit'] = false;
\$wgGroupPermissions['*']['createaccount'] = false;
# Background jobs would run inside page requests; the tests never need them.
\$wgJobRunRate = 0;
# No "leave this page?" prompt on an edit form a job abandons (a session that expired mid-job).
\$wgDefaultUserOptions['useeditwarning'] = 0;
# Legacy Vector: the personal tools (#pt-logout) are plain links, not in a dropdown.
\$wgDefaultSkin = 'vector';
\$wgVectorDefaultSkinVersion = '1';
PHP
  echo "setup-mediawiki: wiki created in $dir for http://127.0.0.1:$port"
}

case "${1:-}" in
  --packages-only)
    install_packages ;;
  --serve)
    [ $# -eq 3 ] || { echo "usage: $0 --serve <dir> <port>" >&2; exit 2; }
    serve "$(realpath "$2")" "$3" ;;
  ""|-*)
    echo "usage: $0 --packages-only | <dir> <port> | --serve <dir> <port>" >&2; exit 2 ;;
  *)
    [ $# -eq 2 ] || { echo "usage: $0 <dir> <port>" >&2; exit 2; }
    install_packages
    mkdir -p "$1"
    create_wiki "$(realpath "$1")" "$2" ;;
esac
