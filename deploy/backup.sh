#!/bin/sh
# Nightly backup of one Rabta installation (run by systemd/rabta-backup.timer, or by hand).
#
#   DATABASE_URL        postgres://user:password@host:5432/name   (from /etc/rabta/rabta.env)
#   RABTA_BACKUP_DIR    where dumps are kept            (default /var/backups/rabta)
#   RABTA_BACKUP_KEEP   how many of each to keep        (default 14)
#   RABTA_MEDIA_ROOT, RABTA_PRIVATE_MEDIA_ROOT          photos, archived next to the dump
#
# A dump holds reporters' contact details encrypted with the field key: it is useless without the key
# and dangerous with it. Store the key apart from the dumps (docs/deploy.md, "Backups").
set -eu

dir=${RABTA_BACKUP_DIR:-/var/backups/rabta}
keep=${RABTA_BACKUP_KEEP:-14}
: "${DATABASE_URL:?DATABASE_URL is not set}"
case $DATABASE_URL in
postgres://* | postgresql://*) ;;
*) echo "backup.sh: DATABASE_URL is not PostgreSQL; copy the SQLite file instead" >&2; exit 2 ;;
esac
case $keep in '' | *[!0-9]* | 0) echo "backup.sh: RABTA_BACKUP_KEEP must be a number above 0" >&2; exit 2 ;; esac

umask 077
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)

# Write under a temporary name and rename only once pg_restore can read the whole archive back,
# so a half-written dump never counts as a backup (nor pushes a good one out of the rotation).
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$dir/.rabta-$stamp.dump.part"
pg_restore --list "$dir/.rabta-$stamp.dump.part" >/dev/null
mv "$dir/.rabta-$stamp.dump.part" "$dir/rabta-$stamp.dump"

# Stored by absolute path (without the leading /), so `tar -xzf media-....tar.gz -C /` puts every
# file back where it was, whether the roots were given relative to the checkout or absolute.
media=""
for root in "${RABTA_MEDIA_ROOT:-var/media}" "${RABTA_PRIVATE_MEDIA_ROOT:-var/private-media}"; do
    if [ -d "$root" ]; then
        absolute=$(cd "$root" && pwd -P)
        media="$media ${absolute#/}"
    fi
done
if [ -n "$media" ]; then
    # shellcheck disable=SC2086  # the list is split on purpose
    tar -C / -czf "$dir/.media-$stamp.tar.gz.part" $media
    mv "$dir/.media-$stamp.tar.gz.part" "$dir/media-$stamp.tar.gz"
fi

# Rotation: keep the newest $keep of each kind (names sort by time).
for kind in rabta media; do
    ls -1 "$dir" | grep -E "^$kind-[0-9]{8}T[0-9]{6}Z\." | sort -r | tail -n +"$((keep + 1))" |
        while read -r old; do rm -f -- "$dir/$old"; done
done
echo "backup.sh: rabta-$stamp.dump written to $dir"
