-- supabase/migrations/20261208090000_expected_marks.sql — a write that
-- expects a device mark the server no longer holds is refused whole.
--
-- A device finds out that the server was put back to an earlier copy by
-- reading its own mark lower than it knew it (20261207090000). But a
-- restore that lands after the device read the marks and before it
-- pushes goes unseen: the push lifts the restored mark past what the
-- device knew, and the rows the restore lost are never sent again. So a
-- device names the mark it expects for itself, the highest it has seen,
-- in the X-Expected-Mark header of each write. Under the tenant's lock,
-- before a row of the statement is written, a stored mark lower than
-- that (or none, while the device expects one) refuses the request with
-- XI060; the device then reads everything again as after a restore seen
-- in sync_state(). Marks only grow between restores, so a retried
-- request that had committed, another device's writes or a purge never
-- trip it. Requests without the header (older apps) are not checked.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create function private.check_expected_mark(p_master uuid) returns void
language plpgsql stable security definer set search_path = '' as $$
declare
  raw  text := nullif(current_setting('request.headers', true), '')::jsonb ->> 'x-expected-mark';
  held bigint;
begin
  if raw is null then
    return;
  end if;
  if raw !~ '^[0-9]{1,18}$' then
    raise exception 'invalid_expected_mark: X-Expected-Mark must be a whole number'
      using errcode = 'XI061';
  end if;
  if raw::bigint = 0 then
    return;
  end if;
  select k.pushed_seq into held from private.device_marks k
   where k.master_user_id = p_master and k.device_id = private.current_device_id();
  if coalesce(held, 0) < raw::bigint then
    raise exception 'server_restored: this device''s mark is % here but the device saw %; '
                    'the server lost writes, read everything again',
                    coalesce(held, 0), raw
      using errcode = 'XI060';
  end if;
end
$$;

-- sync_lock_stmt() as before, then the check: the lock keeps the tenant's
-- other writers (and their marks) out until this request commits.
create or replace function private.sync_lock_stmt() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  m uuid := private.current_master_id();
begin
  if m is not null then
    perform private.lock_tenant(m);
    perform private.check_expected_mark(m);
  end if;
  return null;
end
$$;

revoke execute on function private.check_expected_mark(uuid) from public;
