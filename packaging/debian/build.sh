#!/usr/bin/env bash
# Builds target/debian/roster_<version>_<arch>.deb from this repository with dpkg-deb alone:
# the release binary in /usr/bin/roster, the systemd unit, /etc/roster/roster.toml (a
# conffile), the docs, and the scripts that make the roster system user and its state
# directory. Prints the package's path.
#
#   bash packaging/debian/build.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
arch=$(dpkg --print-architecture)
cargo build --release --locked --quiet --bin roster

stage=target/debian/stage
rm -rf "$stage"
install -D -m 0755 target/release/roster "$stage/usr/bin/roster"
install -D -m 0644 "$here/roster.service" "$stage/lib/systemd/system/roster.service"
install -D -m 0644 "$here/roster.toml" "$stage/etc/roster/roster.toml"
install -d "$stage/usr/share/doc/roster"
install -m 0644 README.md docs/*.md docs/openapi.json "$stage/usr/share/doc/roster/"
install -D -m 0644 /dev/stdin "$stage/usr/share/doc/roster/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: roster
License: MIT
COPYRIGHT

# The shared libraries the binary links, as the Debian packages that hold them.
depends=adduser
while read -r library; do
    # dpkg knows a library by the path it installed, /lib or /usr/lib (merged /usr).
    package=$( (dpkg -S "$library" || dpkg -S "$(readlink -f "$library")") 2>/dev/null \
        | head -n 1 | cut -d: -f1) || true
    [ -n "$package" ] || continue
    upstream=$(dpkg-query -W -f='${Version}' "$package" | sed 's/-[^-]*$//; s/^[0-9]*://')
    case ",$depends," in *", $package "*|*",$package "*) continue ;; esac
    depends="$depends, $package (>= $upstream)"
done < <(ldd target/release/roster | awk '/=> \// {print $3}')

install -d "$stage/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
echo /etc/roster/roster.toml > "$stage/DEBIAN/conffiles"
size=$(du -sk "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: roster
Version: $version
Architecture: $arch
Maintainer: Roster developers <roster@localhost>
Installed-Size: $size
Depends: $depends
Section: net
Priority: optional
Description: self-hosted user-management service
 Roster keeps a company's accounts behind a versioned JSON API (register, login,
 admin user management, audit log) and an admin console, on SQLite, PostgreSQL
 or MariaDB. This package runs it as the roster service (systemd, Type=notify,
 sandboxed), configured in /etc/roster/roster.toml.
CONTROL

package="target/debian/roster_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$package" >/dev/null
echo "$package"
