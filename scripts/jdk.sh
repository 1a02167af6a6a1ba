# Finds a JDK 25 or newer for Fovea's scripts (sourced by ./mvnw and ./fovea).
# It takes JAVA_HOME when that is new enough, else looks under /usr/lib/jvm, where Debian's and
# Temurin's packages install. Prints the JDK's home, or explains what to do and returns 1.

fovea_java_feature() { # the feature release of the JDK at $1, or nothing
  local release="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

fovea_find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    version=$(fovea_java_feature "$candidate")
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Fovea needs JDK 25 or newer (the Vector API); none was found in JAVA_HOME or /usr/lib/jvm." >&2
  echo "Install Temurin 25 (https://adoptium.net) and set JAVA_HOME to it." >&2
  return 1
}
