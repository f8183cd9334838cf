-- supabase/migrations/20261207090000_device_marks.sql — a mark per device
-- that a restored database cannot keep up to date.
--
-- A project put back to an earlier copy (pg_dump and restore, point-in-
-- time recovery, a Supabase project restore) keeps no write made after
-- that copy, and its counter goes back with it; but once other devices
-- write again the counter passes what a device last read, so the counter
-- alone cannot tell a device that the server forgot its rows.
--
-- Every statement a registered device runs on a table it writes leaves
-- that device's mark at the tenant's counter after the statement, in the
-- same transaction as the rows. Whatever a restore brings back, the marks
-- come back as they were at the same instant as the rows: a device that
-- later reads its own mark (or another device's) lower than it read it
-- before, or lower than the number the server gave one of its own writes,
-- knows that the server lost committed writes. Marks only ever grow
-- otherwise. sync_state() hands them out, so checking costs no request.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create table private.device_marks (
  device_id      uuid primary key references public.devices (id) on delete cascade,
  master_user_id uuid not null references auth.users (id) on delete cascade,
  pushed_seq     bigint not null default 0
);
create index device_marks_master_idx on private.device_marks (master_user_id);

-- Statement trigger, after the rows: the tenant's lock is held from the
-- statement's start (sync_lock_stmt) to the commit, so the counter read
-- here covers every number this statement handed out and nobody else's
-- later ones. Requests without a registered device (X-Device-Id) or
-- without a user leave no mark.
create function private.sync_mark_device() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  m uuid := private.current_master_id();
  d uuid;
begin
  if m is null then
    return null;
  end if;
  d := private.current_device_id();
  if d is null then
    return null;
  end if;
  insert into private.device_marks as k (device_id, master_user_id, pushed_seq)
  select d, m, c.last_seq from private.sync_counters c where c.master_user_id = m
  on conflict (device_id) do update
    set pushed_seq = greatest(k.pushed_seq, excluded.pushed_seq);
  return null;
end
$$;

-- Tables devices write get the trigger; a later migration adding such a
-- table calls this after setup_synced_table().
create function private.setup_device_mark(p_table text) returns void
language plpgsql set search_path = '' as $$
begin
  execute format('create trigger %I after insert or update on public.%I '
                 'for each statement execute function private.sync_mark_device()',
                 p_table || '_mark', p_table);
end
$$;

select private.setup_device_mark(s.table_name)
from private.synced_tables s where s.kind <> 'server' order by s.table_name;

-- sync_state() as before, plus the marks of the tenant's devices.
alter function public.sync_state() rename to sync_counter_state;
alter function public.sync_counter_state() set schema private;
revoke execute on function private.sync_counter_state() from authenticated;

create function public.sync_state() returns jsonb
language sql stable security definer set search_path = '' as $$
  select private.sync_counter_state() || jsonb_build_object(
    'marks', coalesce((select jsonb_object_agg(k.device_id, k.pushed_seq)
                       from private.device_marks k
                       where k.master_user_id = private.require_master()), '{}'::jsonb))
$$;

revoke execute on function public.sync_state() from public, anon, authenticated, service_role;
grant execute on function public.sync_state() to authenticated;
revoke execute on function private.sync_mark_device(), private.setup_device_mark(text) from public;
