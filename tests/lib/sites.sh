# Imitation agency sites for the examination tests: a test CA and
# certificates made with openssl, nginx serving the sites by name on ports
# 80 and 443, and tests/lib/misbehave.py for behaviour nginx cannot show.
#
# The sites listen on 127.0.0.x, so they must run inside a network and
# mount namespace of the test's own. sites_enter_namespace re-executes the
# calling script under `unshare -n -m` with loopback up, and sites_start
# bind-mounts a hosts file over /etc/hosts, visible inside the namespace
# only. The machine's network and files stay as they were.
#
# Use:  source tests/lib/common.sh; source tests/lib/sites.sh
#       sites_enter_namespace "$@"     # first; returns inside it
#       sites_setup "$WORK/sites"; sites_start
#       ... "$SIMPUL" examine --allow-private 127.0.0.0/8 \
#             --cacert "$SITES_CA" ...
#       sites_stop                     # also registered with on_exit
#
# Variables after sites_setup:
#   SITES           the site names, one per imitation site
#   SITES_DIR       the folder with the CA, certificates and logs
#   SITES_CA        the test CA certificate (PEM)
#   SITES_TRAP_LOG  connections the misbehaving servers saw
#   SITES_URL_<n>   the catalog URL of each site, by name without ".test"
#                   and with '-' as '_'

# The sites and what each one shows.
SITES="good.test plain.test expired.test selfsigned.test git.test
oldbanner.test wordpress.test loop.test slow.test error.test"

# Names served by misbehave.py on 127.0.0.3 (mode = first label). Port
# 443 there sends garbage and port 8443 is silent for every name.
SITES_MISBEHAVING="endless.test huge.test bigheaders.test badutf8.test
silent.test midclose.test redirmeta.test redirprivate.test garbage.test
rootsilent.test"

# sites_enter_namespace ARGS...: runs the calling script again inside a
# new network and mount namespace (as root) and exits with its status.
# Inside the namespace it brings loopback up and returns.
sites_enter_namespace() {
  if [ "${SITES_IN_NAMESPACE:-}" = 1 ]; then
    ip link set lo up || return 1
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
    echo "FAIL namespace: the site tests need root and unshare(1)"
    exit 1
  fi
  # exec skips the EXIT trap, so the outer WORK folder (still empty) goes
  # now; the script run again inside makes its own.
  rm -rf "$WORK"
  SITES_IN_NAMESPACE=1 exec unshare -n -m --propagation private \
    bash "$0" "$@"
}

# sites_csr NAME SANS: writes NAME.key and NAME.csr for the first name of
# SANS (comma-separated).
sites_csr() {
  local name=$1 sans=$2
  openssl req -new -newkey rsa:2048 -nodes -keyout "$SITES_DIR/$name.key" \
    -subj "/O=Pemerintah Kota Uji/CN=${sans%%,*}" \
    -out "$SITES_DIR/$name.csr" 2>/dev/null
}

# sites_sign NAME SANS START END: signs NAME.csr with the test CA for the
# DNS names SANS (comma-separated), valid from START to END (YYYYMMDDhhmmssZ).
sites_sign() {
  local name=$1 sans=$2 start=$3 end=$4 san="" n
  for n in ${sans//,/ }; do san="${san:+$san,}DNS:$n"; done
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$san" \
    >"$SITES_DIR/$name.ext"
  openssl ca -batch -config "$SITES_DIR/ca.cnf" -notext \
    -startdate "$start" -enddate "$end" -extfile "$SITES_DIR/$name.ext" \
    -in "$SITES_DIR/$name.csr" -out "$SITES_DIR/$name.pem" 2>/dev/null
}

sites_make_ca() {
  local d=$SITES_DIR
  mkdir -p "$d/ca-db"
  : >"$d/ca-db/index.txt"
  echo 1000 >"$d/ca-db/serial"
  cat >"$d/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
dir = $d/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $d/ca.pem
private_key = $d/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
organizationName = optional
commonName = supplied
EOF
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 3650 \
    -keyout "$d/ca.key" -out "$d/ca.pem" \
    -subj "/O=Diskominfo Kota Uji/CN=Simpul Test Root CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# The certificates: one from the CA for the good sites, an expired one
# from the CA, and a self-signed one.
sites_make_certs() {
  local good="good.test,git.test,oldbanner.test,wordpress.test,loop.test"
  good="$good,slow.test,error.test,plain.test"
  local now future
  now=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
  future=$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)
  sites_make_ca || return 1
  sites_csr good "$good" && sites_sign good "$good" "$now" "$future" || return 1
  sites_csr expired expired.test &&
    sites_sign expired expired.test 20200101000000Z 20210101000000Z || return 1
  openssl req -x509 -new -newkey rsa:2048 -nodes -days 365 \
    -keyout "$SITES_DIR/selfsigned.key" -out "$SITES_DIR/selfsigned.pem" \
    -subj "/O=Self/CN=selfsigned.test" \
    -addext "subjectAltName=DNS:selfsigned.test" 2>/dev/null
}

# The pages each site serves.
sites_make_content() {
  local w=$SITES_DIR/www d
  for d in good plain expired selfsigned git oldbanner wordpress error; do
    mkdir -p "$w/$d"
    printf '<!doctype html>\n<html lang="id"><head><meta charset="utf-8">\n<title>%s</title></head>\n<body><h1>Layanan %s</h1><p>Situs uji.</p></body></html>\n' \
      "$d" "$d" >"$w/$d/index.html"
  done
  mkdir -p "$w/git/.git/refs/heads" "$w/git/.git/objects"
  printf 'ref: refs/heads/main\n' >"$w/git/.git/HEAD"
  printf '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote "origin"]\n\turl = https://git.example.test/opd/web.git\n' \
    >"$w/git/.git/config"
  printf '0123456789abcdef0123456789abcdef01234567\n' \
    >"$w/git/.git/refs/heads/main"
  mkdir -p "$w/wordpress/feed" "$w/wordpress/wp-content/themes/kota"
  cat >"$w/wordpress/index.html" <<'EOF'
<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="generator" content="WordPress 4.9.8" />
<link rel="stylesheet" href="/wp-content/themes/kota/style.css?ver=4.9.8">
<script src="/wp-includes/js/jquery/jquery.js?ver=1.12.4"></script>
<title>Dinas Uji</title></head>
<body><h1>Berita Dinas</h1></body></html>
EOF
  # The same front page alone on port 8081: an app whose URL is not a
  # root of its host, so only its own page shows the CMS.
  mkdir -p "$w/wpport"
  cp "$w/wordpress/index.html" "$w/wpport/index.html"
  printf 'body { color: #222; }\n' >"$w/wordpress/wp-content/themes/kota/style.css"
  cat >"$w/wordpress/wp-login.php" <<'EOF'
<!doctype html><html><head><title>Log In</title></head><body>
<form name="loginform" id="loginform" action="/wp-login.php" method="post">
<input type="text" name="log" id="user_login">
<input type="submit" name="wp-submit" id="wp-submit" value="Log In">
</form></body></html>
EOF
  cat >"$w/wordpress/feed/index.html" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Dinas Uji</title>
<generator>https://wordpress.org/?v=4.9.8</generator>
</channel></rss>
EOF
}

# Headers of a well configured site, for nginx.
SITES_GOOD_HEADERS='
    add_header Strict-Transport-Security "max-age=63072000" always;
    add_header Content-Security-Policy "default-src '"'none'"'; img-src '"'self'"'; style-src '"'self'"'; frame-ancestors '"'none'"'; base-uri '"'none'"'; form-action '"'none'"'" always;
    add_header X-Frame-Options "DENY" always;
    add_header X-Content-Type-Options "nosniff" always;
    add_header Referrer-Policy "no-referrer" always;
    add_header Cross-Origin-Resource-Policy "same-origin" always;'

# sites_server NAME CERT BODY: an HTTPS server block for NAME.
sites_https_server() {
  printf '  server {\n    listen 127.0.0.1:443 ssl;\n    server_name %s;\n    ssl_certificate %s/%s.pem;\n    ssl_certificate_key %s/%s.key;\n%s\n  }\n' \
    "$1" "$SITES_DIR" "$2" "$SITES_DIR" "$2" "$3"
}

# sites_redirect NAME: port 80 of NAME redirects to HTTPS.
sites_redirect() {
  printf '  server {\n    listen 127.0.0.1:80;\n    server_name %s;\n    return 301 https://%s$request_uri;\n  }\n' "$1" "$1"
}

# sites_nginx_head PREFIX: prints the start of an nginx configuration,
# up to and including "server_tokens off;" inside the http block, that keeps
# its pid file, logs and temporary files in SITES_DIR/PREFIX*.
sites_nginx_head() {
  local d=$SITES_DIR p=$1
  mkdir -p "$d/$p-tmp"
  cat <<EOF
user root;
worker_processes 1;
pid $d/$p.pid;
error_log $d/$p-error.log;
# One examination run opens about 25 connections per site at once, so
# the limits and the listen backlogs are well above nginx's defaults.
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
  log_format sites '\$host "\$request" \$status "\$http_user_agent"';
  access_log $d/$p-access.log sites;
  # One line per request with its connection's number and whether TLS
  # resumed a session ("r", "." for a full handshake, "-" without TLS).
  # Tests and the benchmark count connections and handshakes from it.
  log_format conns '\$host \$connection \$connection_requests "\$ssl_protocol" "\$ssl_session_reused" "\$http_user_agent"';
  access_log $d/$p-conns.log conns;
  # A session cache, as well configured servers have, so that a client's
  # later connections can resume its first TLS session.
  ssl_session_cache shared:tls_$p:4m;
  client_body_temp_path $d/$p-tmp/body;
  proxy_temp_path $d/$p-tmp/proxy;
  fastcgi_temp_path $d/$p-tmp/fastcgi;
  uwsgi_temp_path $d/$p-tmp/uwsgi;
  scgi_temp_path $d/$p-tmp/scgi;
  server_tokens off;
EOF
}

sites_nginx_conf() {
  local d=$SITES_DIR w=$SITES_DIR/www
  {
    sites_nginx_head nginx
    cat <<EOF
  types { text/html html php; text/css css; application/javascript js; }
  default_type text/plain;
  server {
    listen 127.0.0.1:80 default_server backlog=4096;
    listen 127.0.0.1:443 ssl default_server backlog=4096;
    ssl_certificate $d/good.pem;
    ssl_certificate_key $d/good.key;
    return 404;
  }
  server {
    listen 127.0.0.2:80 backlog=4096;
    server_name plain.test;
    root $w/plain;
  }
EOF
    sites_redirect good.test
    sites_https_server good.test good "    root $w/good;$SITES_GOOD_HEADERS"
    sites_redirect expired.test
    sites_https_server expired.test expired "    root $w/expired;$SITES_GOOD_HEADERS"
    sites_redirect selfsigned.test
    sites_https_server selfsigned.test selfsigned "    root $w/selfsigned;$SITES_GOOD_HEADERS"
    sites_redirect git.test
    sites_https_server git.test good "    root $w/git;
    location /.git/ { autoindex on; }"
    printf '  server {\n    listen 127.0.0.1:80;\n    server_name oldbanner.test;\n    server_tokens on;\n    add_header X-Powered-By "PHP/5.6.40";\n    root %s/oldbanner;\n  }\n' "$w"
    sites_https_server oldbanner.test good "    server_tokens on;
    add_header X-Powered-By \"PHP/5.6.40\";
    root $w/oldbanner;"
    sites_redirect wordpress.test
    sites_https_server wordpress.test good "    root $w/wordpress;
    index index.html;"
    printf '  server {\n    listen 127.0.0.1:8081;\n    server_name wpport.test;\n    root %s/wpport;\n  }\n' "$w"
    sites_redirect loop.test
    sites_https_server loop.test good "    location = / { return 301 /a; }
    location = /a { return 301 /; }
    location / { return 404; }"
    printf '  server {\n    listen 127.0.0.1:80;\n    server_name slow.test;\n    location / {\n      proxy_pass http://127.0.0.3:80;\n      proxy_set_header Host slow.test;\n      proxy_read_timeout 60s;\n    }\n  }\n'
    sites_https_server slow.test good "    location / {
      proxy_pass http://127.0.0.3:80;
      proxy_set_header Host slow.test;
      proxy_read_timeout 60s;
    }"
    sites_redirect error.test
    sites_https_server error.test good "    location / { return 500; }"
    echo "}"
  } >"$d/nginx.conf"
}

sites_hosts() {
  {
    echo "127.0.0.1 localhost"
    echo "::1 localhost"
    echo "127.0.0.1 good.test expired.test selfsigned.test git.test oldbanner.test"
    echo "127.0.0.1 wordpress.test loop.test slow.test error.test wpport.test"
    echo "127.0.0.2 plain.test"
    echo "127.0.0.3 $(echo $SITES_MISBEHAVING)"
  } >"$SITES_DIR/hosts"
  # No name server runs inside the namespace, so a name missing from the
  # hosts file fails at once.
  echo "nameserver 127.0.0.1" >"$SITES_DIR/resolv.conf"
}

# sites_setup DIR: writes the CA, certificates, pages, nginx
# configuration and hosts file into DIR and sets the variables above.
sites_setup() {
  SITES_DIR=$1
  SITES_CA=$SITES_DIR/ca.pem
  SITES_TRAP_LOG=$SITES_DIR/misbehave.log
  mkdir -p "$SITES_DIR" || return 1
  sites_make_certs || { echo "sites_setup: openssl failed" >&2; return 1; }
  sites_make_content
  sites_nginx_conf
  sites_hosts
  SITES_URL_good=https://good.test/
  SITES_URL_plain=http://plain.test/
  SITES_URL_expired=https://expired.test/
  SITES_URL_selfsigned=https://selfsigned.test/
  SITES_URL_git=https://git.test/
  SITES_URL_oldbanner=http://oldbanner.test/
  SITES_URL_wordpress=https://wordpress.test/
  SITES_URL_loop=https://loop.test/
  SITES_URL_slow=http://slow.test/
  SITES_URL_error=https://error.test/
}

# sites_start: inside the namespace, mounts the hosts file, starts
# misbehave.py and nginx, and waits until both respond (at most 10 s).
sites_start() {
  local lib i
  lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  [ "${SITES_IN_NAMESPACE:-}" = 1 ] || {
    echo "sites_start: call sites_enter_namespace first" >&2
    return 1
  }
  mount --bind "$SITES_DIR/hosts" /etc/hosts || return 1
  mount --bind "$SITES_DIR/resolv.conf" /etc/resolv.conf || return 1
  # Addresses the guard must never let examination reach; listeners there
  # record any connection that gets through.
  ip addr add 169.254.169.254/32 dev lo 2>/dev/null
  ip addr add 10.0.0.1/32 dev lo 2>/dev/null
  : >"$SITES_TRAP_LOG"
  python3 "$lib/misbehave.py" "$SITES_TRAP_LOG" 127.0.0.3:80 \
    127.0.0.3:443:garbage 127.0.0.3:8443:silent \
    169.254.169.254:80:trap 10.0.0.1:80:trap \
    127.0.0.9:80:trap 2>"$SITES_DIR/misbehave.err" &
  SITES_MISBEHAVE_PID=$!
  on_exit "sites_stop"

  nginx -p "$SITES_DIR" -c "$SITES_DIR/nginx.conf" \
    -e "$SITES_DIR/nginx-error.log" || return 1
  for ((i = 0; i < 100; i++)); do
    if grep -q '^ready$' "$SITES_TRAP_LOG" 2>/dev/null &&
      curl -fs -o /dev/null --max-time 1 --cacert "$SITES_CA" \
        https://good.test/; then
      return 0
    fi
    sleep 0.1
  done
  echo "sites_start: the sites did not answer in 10 s" >&2
  cat "$SITES_DIR/nginx-error.log" "$SITES_DIR/misbehave.err" >&2
  return 1
}

# sites_stop: stops nginx and misbehave.py; safe to call twice.
sites_stop() {
  if [ -s "$SITES_DIR/nginx.pid" ]; then
    kill "$(cat "$SITES_DIR/nginx.pid")" 2>/dev/null
    rm -f "$SITES_DIR/nginx.pid"
  fi
  if [ -n "${SITES_MISBEHAVE_PID:-}" ]; then
    kill "$SITES_MISBEHAVE_PID" 2>/dev/null
    wait "$SITES_MISBEHAVE_PID" 2>/dev/null
    SITES_MISBEHAVE_PID=
  fi
}

# sites_write_catalog DIR: writes DIR/agencies.csv (one agency, UJI) and
# DIR/apps.csv with one application per line of standard input:
# "CODE URL [KIND [ANDROID_PACKAGE]]", where URL "-" means none and KIND
# defaults to website.
sites_write_catalog() {
  local code url kind package
  printf 'code,name,kind,parent\nUJI,Dinas Uji,dinas,\n' >"$1/agencies.csv"
  {
    echo "code,name,kind,agency,url,android_package"
    while read -r code url kind package; do
      [ -n "$code" ] || continue
      [ "$url" = - ] && url=
      echo "$code,Uji $code,${kind:-website},UJI,$url,$package"
    done
  } >"$1/apps.csv"
}

# sites_examine NAME MAX_SECONDS ARGS...: runs `simpul examine ARGS` on
# the script's store, with its output in $WORK/NAME.out and $WORK/NAME.err.
# Reports NAME_exit and NAME_duration (at most MAX_SECONDS), and ends the
# script when the command fails, since nothing after it could pass.
sites_examine() {
  local name=$1 max=$2 start=$SECONDS rc
  shift 2
  simpul_cli examine "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  expect_eq "${name}_exit" "$rc" 0
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$WORK/$name.err" >&2
    exit 1
  fi
  if [ $((SECONDS - start)) -le "$max" ]; then pass "${name}_duration"
  else fail "${name}_duration" "took $((SECONDS - start)) s, more than $max"; fi
}

# sites_result APP FILTER: runs the jq FILTER on APP's examination in
# $WORK/report.json (written by `simpul report --format json`).
sites_result() {
  jq -r --arg code "$1" \
    ".apps[] | select(.code == \$code) | .examination | $2" \
    "$WORK/report.json"
}

# sites_evidence APP ID: prints the evidence of APP's first finding ID.
sites_evidence() {
  sites_result "$1" ".findings[] | select(.id == \"$2\") | .evidence" |
    head -n 1
}

# sites_trapped: prints the connections that reached a trap listener.
sites_trapped() { grep '^trap ' "$SITES_TRAP_LOG"; }
