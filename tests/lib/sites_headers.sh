# More imitation agency sites, with the variety of security headers, cookies,
# scripts and redirects that the Observatory comparison needs. They are
# served by a second nginx on 127.0.0.4 inside the namespace of
# tests/lib/sites.sh, with a certificate from the same test CA.
#
# Use, after sites_enter_namespace and sites_setup:
#       headers_sites_setup      # before sites_start: adds the names to
#                                # the hosts file
#       sites_start; headers_sites_start
# Variables after headers_sites_setup:
#   HEADER_SITES    the site names
#   HEADER_URL_<n>  the catalog URL of each, by name without ".test"

# Each site and what it shows:
#   inline      CSP with 'unsafe-inline' in script-src and style-src
#   cookies     cookies without Secure or HttpOnly, an invalid SameSite, an
#               anti-CSRF cookie without SameSite, one set on the redirect
#   sri         external script with integrity, strict headers all round
#   nosri       external scripts over http and protocol-relative, no SRI
#   cors        a CORS preflight answered with Access-Control-Allow-Origin *
#   reflect     a preflight that echoes the Origin and allows credentials
#   metacsp     CSP and referrer policy in meta elements only
#   mixed       XFO ALLOW-FROM, X-Content-Type-Options twice, unsafe-url
#               referrer, short HSTS, CSP report-only, CORP same-site
#   dupcsp      two CSP headers and a nonce with 'strict-dynamic'
#   offhost     http:// redirects to https://www.offhost.test/
#   httpfirst   http:// redirects to another http:// URL first
#   noredirect  plain HTTP serves the page without a redirect
#   api         a JSON API answering application/json
#   auth        HTTPS answers 401, which the Observatory still grades
#   notfound    HTTPS answers 404, which it does not grade
HEADER_SITES="inline.test cookies.test sri.test nosri.test cors.test
reflect.test metacsp.test mixed.test dupcsp.test offhost.test
httpfirst.test noredirect.test api.test auth.test notfound.test"

HEADER_ADDRESS=127.0.0.4

# headers_https NAME BODY: HTTPS server block on the second nginx.
headers_https() {
  printf '  server {\n    listen %s:443 ssl;\n    server_name %s;\n    ssl_certificate %s/headers.pem;\n    ssl_certificate_key %s/headers.key;\n%s\n  }\n' \
    "$HEADER_ADDRESS" "$1" "$SITES_DIR" "$SITES_DIR" "$2"
}

# headers_http NAME BODY: plain HTTP server block on the second nginx.
headers_http() {
  printf '  server {\n    listen %s:80;\n    server_name %s;\n%s\n  }\n' \
    "$HEADER_ADDRESS" "$1" "$2"
}

headers_to_https() {
  headers_http "$1" "    return 301 https://$1\$request_uri;"
}

headers_pages() {
  local w=$SITES_DIR/hwww
  mkdir -p "$w/plain" "$w/inline" "$w/sri" "$w/nosri" "$w/metacsp" "$w/api"
  printf '<!doctype html>\n<html lang="id"><head><meta charset="utf-8"><title>Layanan</title></head>\n<body><h1>Layanan Kota Uji</h1></body></html>\n' \
    >"$w/plain/index.html"
  cat >"$w/inline/index.html" <<'EOF'
<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Inline</title>
<style>h1 { color: #333; }</style></head>
<body><h1>Pengumuman</h1><script>document.title = "Pengumuman";</script>
<script src="/app.js"></script></body></html>
EOF
  cat >"$w/sri/index.html" <<'EOF'
<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>SRI</title>
<script src="https://cdn.example.net/lib.js"
  integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"
  crossorigin="anonymous"></script>
<script src="/app.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"></script>
</head><body><h1>Perizinan</h1></body></html>
EOF
  cat >"$w/nosri/index.html" <<'EOF'
<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>No SRI</title>
<script src="http://cdn.example.net/jquery.js"></script>
<script src="//cdn.example.net/widget.js"></script>
</head><body><h1>Statistik</h1></body></html>
EOF
  cat >"$w/metacsp/index.html" <<'EOF'
<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data:; frame-ancestors 'none'">
<meta name="referrer" content="no-referrer">
<title>Meta</title></head><body><h1>Meta</h1></body></html>
EOF
  printf '{"status": "ok", "layanan": 12}\n' >"$w/api/index.json"
  printf 'console.log("ok");\n' >"$w/plain/app.js"
  cp "$w/plain/app.js" "$w/inline/app.js"
  cp "$w/plain/app.js" "$w/sri/app.js"
}

headers_nginx_sites() {
  local w=$SITES_DIR/hwww
  local hsts='    add_header Strict-Transport-Security "max-age=31536000" always;'
  headers_to_https inline.test
  headers_https inline.test "    root $w/inline;
$hsts
    add_header Content-Security-Policy \"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'\" always;
    add_header X-Frame-Options SAMEORIGIN always;
    add_header X-Content-Type-Options nosniff always;"
  headers_http cookies.test "    add_header Set-Cookie \"tracking=1; Path=/\" always;
    return 301 https://cookies.test/;"
  headers_https cookies.test "    root $w/plain;
$hsts
    add_header Set-Cookie \"PHPSESSID=abc123; Path=/\" always;
    add_header Set-Cookie \"csrftoken=x1; Path=/; Secure\" always;
    add_header Set-Cookie \"pref=1; Path=/; Secure; SameSite=Wrong\" always;"
  headers_to_https sri.test
  headers_https sri.test "    root $w/sri;
$hsts
    add_header Content-Security-Policy \"default-src 'none'; script-src 'self' https://cdn.example.net; frame-ancestors 'none'\" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
    add_header Cross-Origin-Resource-Policy same-site always;
    add_header Cross-Origin-Opener-Policy same-origin always;
    add_header Set-Cookie \"SESSION=s1; Path=/; Secure; HttpOnly; SameSite=Lax\" always;"
  headers_to_https nosri.test
  headers_https nosri.test "    root $w/nosri;
$hsts"
  headers_to_https cors.test
  headers_https cors.test "    root $w/plain;
    add_header Access-Control-Allow-Origin * always;
    if (\$request_method = OPTIONS) { return 204; }"
  headers_to_https reflect.test
  headers_https reflect.test "    root $w/plain;
    add_header Access-Control-Allow-Origin \$http_origin always;
    add_header Access-Control-Allow-Credentials true always;
    if (\$request_method = OPTIONS) { return 204; }"
  headers_to_https metacsp.test
  headers_https metacsp.test "    root $w/metacsp;
$hsts"
  headers_to_https mixed.test
  headers_https mixed.test "    root $w/plain;
    add_header Strict-Transport-Security \"max-age=86400\" always;
    add_header X-Frame-Options \"ALLOW-FROM https://portal.test\" always;
    add_header X-Content-Type-Options nosniff always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy unsafe-url always;
    add_header Cross-Origin-Resource-Policy same-site always;
    add_header Content-Security-Policy-Report-Only \"default-src 'self'\" always;"
  headers_to_https dupcsp.test
  headers_https dupcsp.test "    root $w/inline;
$hsts
    add_header Content-Security-Policy \"default-src 'none'\" always;
    add_header Content-Security-Policy \"script-src 'nonce-r4nd0m' 'strict-dynamic' https:; object-src 'none'\" always;"
  headers_http offhost.test "    return 301 https://www.offhost.test/;"
  headers_https offhost.test "    return 301 https://www.offhost.test/;"
  headers_https www.offhost.test "    root $w/plain;
$hsts"
  headers_http httpfirst.test "    return 301 http://www.httpfirst.test/;"
  headers_http www.httpfirst.test "    return 301 https://httpfirst.test/;"
  headers_https httpfirst.test "    root $w/plain;
$hsts"
  headers_http noredirect.test "    root $w/plain;"
  headers_https noredirect.test "    root $w/plain;"
  headers_to_https api.test
  headers_https api.test "    root $w/api;
    index index.json;
$hsts
    add_header X-Content-Type-Options nosniff always;"
  headers_to_https auth.test
  headers_https auth.test "$hsts
    add_header WWW-Authenticate 'Basic realm=\"Intranet\"' always;
    add_header X-Frame-Options DENY always;
    location / { return 401; }"
  headers_to_https notfound.test
  headers_https notfound.test "    location / { return 404; }"
}

headers_nginx_conf() {
  local d=$SITES_DIR
  mkdir -p "$d/hnginx-tmp"
  {
    cat <<EOF
user root;
worker_processes 1;
pid $d/hnginx.pid;
error_log $d/hnginx-error.log;
events { worker_connections 4096; }
http {
  access_log $d/hnginx-access.log;
  client_body_temp_path $d/hnginx-tmp/body;
  proxy_temp_path $d/hnginx-tmp/proxy;
  fastcgi_temp_path $d/hnginx-tmp/fastcgi;
  uwsgi_temp_path $d/hnginx-tmp/uwsgi;
  scgi_temp_path $d/hnginx-tmp/scgi;
  types { text/html html; application/javascript js; application/json json; }
  default_type text/plain;
  server_tokens off;
  server {
    listen $HEADER_ADDRESS:80 default_server;
    listen $HEADER_ADDRESS:443 ssl default_server;
    ssl_certificate $d/headers.pem;
    ssl_certificate_key $d/headers.key;
    return 404;
  }
EOF
    headers_nginx_sites
    echo "}"
  } >"$d/hnginx.conf"
}

# headers_sites_setup: writes the certificate, pages and configuration of
# these sites into SITES_DIR and adds their names to its hosts file.
headers_sites_setup() {
  local names n sans=""
  names="$(echo $HEADER_SITES) www.offhost.test www.httpfirst.test"
  for n in $names; do sans="${sans:+$sans,}$n"; done
  local now future
  now=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
  future=$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)
  sites_csr headers "$sans" && sites_sign headers "$sans" "$now" "$future" ||
    return 1
  headers_pages
  headers_nginx_conf
  echo "$HEADER_ADDRESS $names" >>"$SITES_DIR/hosts"
  for n in $HEADER_SITES; do
    printf -v "HEADER_URL_${n%.test}" 'https://%s/' "$n"
  done
  HEADER_URL_noredirect=http://noredirect.test/
}

# headers_sites_start: starts the second nginx (after sites_start) and
# waits until it answers, at most 10 s.
headers_sites_start() {
  local i
  ip addr add "$HEADER_ADDRESS/32" dev lo 2>/dev/null
  nginx -p "$SITES_DIR" -c "$SITES_DIR/hnginx.conf" \
    -e "$SITES_DIR/hnginx-error.log" || return 1
  on_exit headers_sites_stop
  for ((i = 0; i < 100; i++)); do
    if curl -fs -o /dev/null --max-time 1 --cacert "$SITES_CA" \
      https://sri.test/; then
      return 0
    fi
    sleep 0.1
  done
  echo "headers_sites_start: the sites did not answer in 10 s" >&2
  cat "$SITES_DIR/hnginx-error.log" >&2
  return 1
}

headers_sites_stop() {
  if [ -s "$SITES_DIR/hnginx.pid" ]; then
    kill "$(cat "$SITES_DIR/hnginx.pid")" 2>/dev/null
    rm -f "$SITES_DIR/hnginx.pid"
  fi
}
