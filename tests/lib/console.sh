# Helpers for the console tests, which use curl with a cookie jar as the
# browser. Source tests/lib/common.sh first; set BASE (start_simpul does)
# and PASSWORD, the password of the accounts the test logs in with.

# csrf_of FILE: prints the CSRF token of the first form in an HTML file.
csrf_of() {
  grep -o '<input[^>]*name="csrf"[^>]*>' "$1" | head -n 1 |
    sed -n 's/.*value="\([^"]*\)".*/\1/p'
}

# page JAR METHOD PATH [FORM_DATA...]: sends one request with the cookie
# jar JAR and sets STATUS, PAGE (the body) and LOCATION. Each FORM_DATA is
# passed to curl --data-urlencode.
page() {
  local jar=$1 method=$2 path=$3
  shift 3
  local args=(-sS -b "$jar" -c "$jar" -o "$WORK/page" -D "$WORK/headers"
              -w '%{http_code}' --max-time 20 -X "$method")
  local field
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  STATUS=$(curl "${args[@]}" "$BASE$path" 2>/dev/null)
  PAGE=$(cat "$WORK/page")
  LOCATION=$(sed -n 's/^[Ll]ocation: *\([^\r]*\)\r*$/\1/p' "$WORK/headers")
}

# login JAR NAME: logs in through the login form.
login() {
  local jar=$1
  page "$jar" GET /login
  local token
  token=$(csrf_of "$WORK/page")
  page "$jar" POST /login "name=$2" "password=$PASSWORD" "csrf=$token"
  [ "$STATUS" = 303 ]
}

# form_token JAR PATH: fetches a page with a form, sets STATUS and PAGE as
# page does, and sets TOKEN to the form's CSRF token.
form_token() {
  page "$1" GET "$2"
  TOKEN=$(csrf_of "$WORK/page")
}

# contains NAME TEXT: PASS when the last page contains TEXT literally.
contains() {
  if grep -qF -- "$2" "$WORK/page"; then pass "$1"
  else fail "$1" "the page does not contain '$2' (status $STATUS)"; fi
}

# lacks NAME TEXT: PASS when the last page does not contain TEXT.
lacks() {
  if grep -qF -- "$2" "$WORK/page"; then fail "$1" "the page contains '$2'"
  else pass "$1"; fi
}
