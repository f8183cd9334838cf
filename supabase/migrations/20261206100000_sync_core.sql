-- supabase/migrations/20261206100000_sync_core.sql — tenants, profiles,
-- the per-tenant change counter and the triggers every synced table uses.
--
-- A tenant is one master account: its owner plus the staff the owner
-- invited. Every row a device syncs carries the tenant's id in
-- master_user_id, and every write stamps it with the next number of the
-- tenant's counter (server_seq). The counter row stays locked until the
-- writing transaction ends, so numbers are handed out in commit order and
-- a device that pulls "everything after N" can never skip a row.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

-- Not exposed over HTTP: the API only serves public.
create schema private;

create table private.sync_counters (
  master_user_id uuid primary key references auth.users (id) on delete cascade,
  last_seq       bigint not null default 0,
  -- Per table, the highest server_seq purged: a device whose checkpoint for
  -- the table is below it missed a tombstone and must pull the table anew.
  purged_seq     jsonb not null default '{}'::jsonb
);

-- Every client operation applied to an editable or single-writer row, so
-- that a retry arriving after another device's write is still known as a
-- retry (last_op_id alone only knows the latest). Purged with tombstones.
create table private.applied_ops (
  master_user_id uuid not null references auth.users (id) on delete cascade,
  op_id          uuid not null,
  applied_at     timestamptz not null default now(),
  primary key (master_user_id, op_id)
);
create index applied_ops_age_idx on private.applied_ops (applied_at);

-- The monthly allowance of each plan, read when a quota is created or
-- rolled into a new month. Operators change it here.
create table private.plans (
  plan             text primary key,
  monthly_messages integer not null check (monthly_messages >= 0)
);
insert into private.plans (plan, monthly_messages) values ('free', 500);

-- The columns every synced table starts with (CREATE TABLE … LIKE). The
-- stamp triggers own version, server_seq, created_at, updated_at,
-- deleted_at and created_by; what a client sends for them is overwritten.
--   last_op_id    the client operation that last wrote the row; a write
--                 carrying an operation applied before changes nothing
--   base_version  the version the client edited from
--   sync_changed  the columns the client changed; on a stale base only
--                 these are taken, the rest keep the server's values
create table private.synced_row (
  id             uuid primary key,
  master_user_id uuid not null,
  created_by     uuid default auth.uid(),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  version        bigint not null default 0,
  server_seq     bigint not null default 0,
  deleted        boolean not null default false,
  deleted_at     timestamptz,
  last_op_id     uuid,
  base_version   bigint,
  sync_changed   text[]
);

-- The columns of tables only the server writes (through the functions
-- below); clients pull them like the others.
create table private.server_row (
  id             uuid primary key default gen_random_uuid(),
  master_user_id uuid not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  version        bigint not null default 0,
  server_seq     bigint not null default 0,
  deleted        boolean not null default false,
  deleted_at     timestamptz
);

-- Which tables are synced and how, so that purge and the tests can walk them.
create table private.synced_tables (
  table_name text primary key,
  kind       text not null check (kind in ('editable', 'append', 'single_writer', 'server'))
);

create table public.profiles (
  like private.server_row including defaults including constraints,
  role         text not null default 'owner' check (role in ('owner', 'staff')),
  email        text,
  name         text check (char_length(name) <= 200),
  phone_number text check (char_length(phone_number) <= 32),
  avatar_url   text check (char_length(avatar_url) <= 2048),
  primary key (id),
  foreign key (id) references auth.users (id) on delete cascade,
  -- an owner is their own master; staff belong to somebody else's
  check ((role = 'owner') = (master_user_id = id))
);
create index profiles_master_idx on public.profiles (master_user_id, server_seq);

-- Who is asking. Only the JWT's subject counts; a function argument never
-- names the tenant. Staff resolve to their owner's id.
create function private.current_master_id() returns uuid
language sql stable security definer set search_path = '' as $$
  select p.master_user_id from public.profiles p
  where p.id = (select auth.uid()) and not p.deleted
$$;

create function private.is_owner() returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce((select p.role = 'owner' from public.profiles p
                   where p.id = (select auth.uid()) and not p.deleted), false)
$$;

-- The tenant of the caller, or an error a client can act on: 42501 is what
-- PostgREST turns into 401/403.
create function private.require_master() returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  m uuid := private.current_master_id();
begin
  if m is null then
    raise exception 'not_authenticated: sign in first; this call needs a user with a profile'
      using errcode = '42501';
  end if;
  return m;
end
$$;

-- Takes the tenant's counter row, creating it on first use. Everything that
-- writes a tenant's rows takes this lock first, so two writers of a tenant
-- queue here instead of deadlocking over rows they take in different orders.
create function private.lock_tenant(p_master uuid) returns void
language plpgsql security definer set search_path = '' as $$
begin
  -- The row exists from the tenant's first write on; the insert is for
  -- that first time only (and for two first writers racing).
  perform 1 from private.sync_counters where master_user_id = p_master for update;
  if not found then
    insert into private.sync_counters (master_user_id) values (p_master)
    on conflict (master_user_id) do nothing;
    perform 1 from private.sync_counters where master_user_id = p_master for update;
  end if;
end
$$;

create function private.next_seq(p_master uuid) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  v bigint;
begin
  update private.sync_counters set last_seq = last_seq + 1
   where master_user_id = p_master
  returning last_seq into v;
  if not found then
    insert into private.sync_counters as c (master_user_id, last_seq) values (p_master, 1)
    on conflict (master_user_id) do update set last_seq = c.last_seq + 1
    returning c.last_seq into v;
  end if;
  return v;
end
$$;

-- Statement trigger: the tenant lock before any row of the statement is
-- locked. Writes without a user (service role, migrations) lock per row in
-- next_seq instead, and should therefore stay short.
create function private.sync_lock_stmt() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  m uuid := private.current_master_id();
begin
  if m is not null then
    perform private.lock_tenant(m);
  end if;
  return null;
end
$$;

-- Row trigger of editable and single-writer tables: replays, per-field
-- merge, deletes win, no resurrection of purged rows.
create function private.sync_stamp() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  present boolean;
begin
  if tg_op = 'UPDATE' then
    if new.last_op_id is null or new.last_op_id = old.last_op_id
       or exists (select 1 from private.applied_ops o
                  where o.master_user_id = old.master_user_id and o.op_id = new.last_op_id) then
      -- An operation applied before (a lost reply retried, perhaps after
      -- other writes), or a write that names no operation: keep the row
      -- exactly as it is.
      return old;
    end if;
    if new.id <> old.id or new.master_user_id <> old.master_user_id then
      raise exception 'immutable_column: id and master_user_id cannot change'
        using errcode = '42501';
    end if;
    if coalesce(new.base_version, 0) < old.version then
      -- Edited from an older copy. A delete that happened meanwhile wins;
      -- otherwise only the columns this client changed are taken.
      if old.deleted then
        return null;
      end if;
      new := jsonb_populate_record(new, to_jsonb(old)
               - (coalesce(new.sync_changed, '{}'::text[])
                  || array['last_op_id', 'base_version', 'sync_changed']));
    end if;
    new.created_at := old.created_at;
    new.created_by := old.created_by;
    new.version := old.version + 1;
  else
    -- An edit (base_version > 0) of a row the server does not have: it was
    -- deleted and purged meanwhile, so it must not come back. Neither may
    -- a retried creation of a row purged since. (When the row is there,
    -- the upsert goes on to the update, which tells a retry apart.)
    if coalesce(new.base_version, 0) > 0
       or exists (select 1 from private.applied_ops o
                  where o.master_user_id = new.master_user_id and o.op_id = new.last_op_id) then
      execute format('select exists (select 1 from %I.%I where id = $1)',
                     tg_table_schema, tg_table_name)
        into present using new.id;
      if not present then
        return null;
      end if;
    end if;
    -- Left as sent: in an upsert this row becomes EXCLUDED, and the update
    -- branch above needs the client's base_version and sync_changed.
    new.created_by := auth.uid();
    new.created_at := now();
    new.version := 1;
  end if;
  new.server_seq := private.next_seq(new.master_user_id);
  new.updated_at := clock_timestamp();
  if not new.deleted then
    new.deleted_at := null;
  elsif tg_op = 'INSERT' or not old.deleted then
    new.deleted_at := new.updated_at;
  else
    new.deleted_at := old.deleted_at;
  end if;
  return new;
end
$$;

-- After a row is written (not merely proposed by an upsert that then
-- updated instead), remember its operation.
create function private.sync_record_op() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into private.applied_ops (master_user_id, op_id)
  values (new.master_user_id, new.last_op_id)
  on conflict do nothing;
  return null;
end
$$;

-- Row trigger of append-only and server-owned tables: stamps, no merge.
-- The argument 'client' marks tables whose rows devices insert.
create function private.sync_stamp_plain() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' then
    if new.id <> old.id then
      raise exception 'immutable_column: id cannot change' using errcode = '42501';
    end if;
    new.created_at := old.created_at;
    new.version := old.version + 1;
  else
    new.created_at := now();
    new.version := 1;
    if tg_argv[0] = 'client' then
      new.created_by := auth.uid();
    end if;
  end if;
  new.server_seq := private.next_seq(new.master_user_id);
  new.updated_at := clock_timestamp();
  if not new.deleted then
    new.deleted_at := null;
  elsif tg_op = 'INSERT' or not old.deleted then
    new.deleted_at := new.updated_at;
  end if;
  return new;
end
$$;

-- Triggers, row-level security and grants of one synced table, by kind:
--   editable       any device inserts and updates; per-field merge
--   single_writer  like editable, but only the owning device may write
--                  (policies added by the table's migration)
--   append         insert-only facts
--   server         written by the server's functions, read by clients
-- No kind has a DELETE policy: deleting is setting `deleted`, and only the
-- service role's purge removes rows.
create function private.setup_synced_table(p_table text, p_kind text) returns void
language plpgsql set search_path = '' as $$
declare
  t   text := format('public.%I', p_table);
  who text := '(master_user_id = (select private.current_master_id()))';
begin
  insert into private.synced_tables (table_name, kind) values (p_table, p_kind);
  execute format('create index %I on %s (master_user_id, server_seq)',
                 p_table || '_pull_idx', t);
  execute format('alter table %s enable row level security', t);
  execute format('revoke all on %s from anon, authenticated', t);
  execute format('create policy %I on %s for select to authenticated using %s',
                 p_table || '_select', t, who);

  execute format('alter table %s add foreign key (master_user_id) '
                 'references auth.users (id) on delete cascade', t);

  if p_kind = 'server' then
    execute format('create trigger %I before insert or update on %s '
                   'for each row execute function private.sync_stamp_plain(''server'')',
                   p_table || '_stamp', t);
    execute format('grant select on %s to authenticated', t);
    return;
  end if;

  execute format('create trigger %I before insert or update on %s '
                 'for each statement execute function private.sync_lock_stmt()',
                 p_table || '_lock', t);

  if p_kind = 'append' then
    execute format('create trigger %I before insert or update on %s '
                   'for each row execute function private.sync_stamp_plain(''client'')',
                   p_table || '_stamp', t);
    execute format('create policy %I on %s for insert to authenticated with check %s',
                   p_table || '_insert', t, who);
    execute format('grant select, insert on %s to authenticated', t);
    return;
  end if;

  execute format('create trigger %I before insert or update on %s '
                 'for each row execute function private.sync_stamp()',
                 p_table || '_stamp', t);
  execute format('create trigger %I after insert or update on %s '
                 'for each row when (new.last_op_id is not null) '
                 'execute function private.sync_record_op()',
                 p_table || '_record_op', t);
  execute format('grant select, insert, update on %s to authenticated', t);
  if p_kind = 'editable' then
    execute format('create policy %I on %s for insert to authenticated with check %s',
                   p_table || '_insert', t, who);
    execute format('create policy %I on %s for update to authenticated using %s with check %s',
                   p_table || '_update', t, who, who);
  end if;
end
$$;

select private.setup_synced_table('profiles', 'server');

-- A user may edit their own name, number and picture, nothing else: the
-- column grants keep role and master_user_id out of reach.
revoke update on public.profiles from authenticated;
grant update (name, phone_number, avatar_url) on public.profiles to authenticated;
create policy profiles_update on public.profiles for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));

-- Functions are executable by everybody unless revoked; in private only
-- the few that policies call are granted back (20261206100200_accounts.sql).
revoke execute on all functions in schema private from public;
