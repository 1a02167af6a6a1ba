#!/usr/bin/env bash
# Installs Debian's dataset-fashion-mnist, the data fovea train uses by default, where this user may:
# as root, or with sudo that needs no password. Elsewhere it says the one command that does.
# Sourced by the fovea launcher and .ci/run; run on its own, it installs or explains.
fovea_fashion_mnist_dir=/usr/share/datasets/fashion-mnist

fovea_install_fashion_mnist() {
  [ -f "$fovea_fashion_mnist_dir/train-images-idx3-ubyte.gz" ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      echo "fovea: Fashion-MNIST is not installed; install it with: sudo apt-get install dataset-fashion-mnist" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    echo "fovea: Fashion-MNIST is not installed and this is not a Debian system; give --data idx:DIR with its four IDX files" >&2
    return 1
  fi
  echo "fovea: installing Fashion-MNIST (Debian's dataset-fashion-mnist, 30 MB)..." >&2
  "${sudo[@]}" apt-get update -q >&2 &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends dataset-fashion-mnist >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  fovea_install_fashion_mnist
fi
