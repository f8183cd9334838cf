-- supabase/migrations/20261206100200_accounts.sql — quotas, devices, staff
-- invitations, and what a new account gets at sign-up.
--
-- These tables are written only by the server's functions; devices pull
-- them. Errors a caller can fix carry their own SQLSTATE in class XI (the
-- message starts with a stable name, e.g. "invalid_amount: …"); PostgREST
-- answers them with 400 and the code in the body.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

-- One row per tenant. messages_limit is this period's allowance (the plan's
-- monthly messages plus what was bought this period); messages_reserved is
-- what pending reservations still hold, so available = limit - used -
-- reserved can never be promised twice.
create table public.user_quotas (
  like private.server_row including defaults including constraints,
  plan              text not null default 'free' references private.plans (plan),
  messages_limit    integer not null check (messages_limit >= 0),
  messages_used     integer not null default 0 check (messages_used >= 0),
  messages_reserved integer not null default 0 check (messages_reserved >= 0),
  period_start      timestamptz not null,
  period_end        timestamptz not null,
  primary key (id),
  unique (master_user_id),
  check (period_end > period_start)
);
select private.setup_synced_table('user_quotas', 'server');

-- The id is chosen by the device and is the idempotency key of
-- reserve_quota. `used` is the cumulative count committed so far.
create table public.quota_reservations (
  like private.server_row including defaults including constraints,
  reserved_by  uuid,
  job_id       uuid,
  amount       integer not null check (amount > 0),
  used         integer not null default 0 check (used >= 0 and used <= amount),
  status       text not null default 'pending'
                 check (status in ('pending', 'committed', 'released', 'expired')),
  expires_at   timestamptz not null,
  closed_at    timestamptz,
  primary key (id)
);
select private.setup_synced_table('quota_reservations', 'server');
-- Pending reservations are few per tenant; every quota call looks at them.
create index quota_reservations_pending_idx on public.quota_reservations (master_user_id, expires_at)
  where status = 'pending';

-- A device of the tenant: a name and when it was last seen, no tokens (the
-- auth server keeps sessions).
create table public.devices (
  like private.server_row including defaults including constraints,
  user_id      uuid references auth.users (id) on delete set null,
  name         text not null,
  platform     text,
  last_seen_at timestamptz not null default now(),
  primary key (id)
);
select private.setup_synced_table('devices', 'server');

create function private.current_email() returns text
language sql stable security definer set search_path = '' as $$
  select lower(u.email) from auth.users u where u.id = (select auth.uid())
$$;

-- An owner's invitation to join the tenant as staff, accepted by the
-- invitee (accept_staff_invite) once signed in with that email.
create table public.staff_invitations (
  like private.server_row including defaults including constraints,
  email       text not null,
  invited_by  uuid not null references auth.users (id) on delete cascade,
  status      text not null default 'pending' check (status in ('pending', 'accepted')),
  expires_at  timestamptz not null,
  accepted_by uuid references auth.users (id) on delete set null,
  primary key (id)
);
select private.setup_synced_table('staff_invitations', 'server');
create unique index staff_invitations_pending_idx on public.staff_invitations (master_user_id, email)
  where status = 'pending';
-- Only the owner reads the tenant's invitations; the invitee reads those
-- addressed to them.
drop policy staff_invitations_select on public.staff_invitations;
create policy staff_invitations_select on public.staff_invitations for select to authenticated
  using ((master_user_id = (select private.current_master_id()) and (select private.is_owner()))
         or email = (select private.current_email()));

-- The first month of a quota: the calendar month in UTC.
create function private.month_start(p_at timestamptz) returns timestamptz
language sql immutable set search_path = '' as $$
  select date_trunc('month', p_at at time zone 'UTC') at time zone 'UTC'
$$;

-- A new account is the owner of its own tenant with the free allowance for
-- the current month: sign-up needs nothing else.
create function private.handle_new_user() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  start timestamptz := private.month_start(now());
begin
  insert into public.profiles (id, master_user_id, role, email, name)
  values (new.id, new.id, 'owner', lower(new.email),
          left(coalesce(new.raw_user_meta_data ->> 'name',
                        new.raw_user_meta_data ->> 'full_name'), 200));
  insert into public.user_quotas (master_user_id, plan, messages_limit, period_start, period_end)
  select new.id, p.plan, p.monthly_messages, start, start + interval '1 month'
  from private.plans p where p.plan = 'free';
  return null;
end
$$;

-- Named for the app: a project may have sign-up triggers of its own.
create trigger xender_in_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

create function private.handle_user_email_changed() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.profiles set email = lower(new.email) where id = new.id;
  return null;
end
$$;

create trigger xender_in_user_email_changed after update of email on auth.users
  for each row when (new.email is distinct from old.email)
  execute function private.handle_user_email_changed();

create function private.device_json(d public.devices) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('id', d.id, 'name', d.name, 'platform', d.platform,
                            'user_id', d.user_id, 'last_seen_at', d.last_seen_at,
                            'server_seq', d.server_seq)
$$;

-- Called by a device at start-up and sign-in: records it (the id is the
-- device's own UUID) or refreshes its name and last-seen time.
create function public.register_device(p_device_id uuid, p_name text, p_platform text default null)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m    uuid := private.require_master();
  v_name text := btrim(p_name);
  d      public.devices;
begin
  if p_device_id is null then
    raise exception 'invalid_device_id: p_device_id must be the device''s UUID'
      using errcode = 'XI040';
  end if;
  if v_name is null or char_length(v_name) not between 1 and 100 then
    raise exception 'invalid_device_name: p_name must be 1 to 100 characters'
      using errcode = 'XI041';
  end if;
  if p_platform is not null and char_length(p_platform) > 100 then
    raise exception 'invalid_device_platform: p_platform must be at most 100 characters'
      using errcode = 'XI041';
  end if;
  perform private.lock_tenant(m);
  select * into d from public.devices where id = p_device_id for update;
  if found and d.master_user_id <> m then
    raise exception 'device_id_in_use: this device id belongs to another account; make a new one'
      using errcode = 'XI042';
  end if;
  insert into public.devices as x (id, master_user_id, user_id, name, platform, last_seen_at)
  values (p_device_id, m, auth.uid(), v_name, p_platform, now())
  on conflict (id) do update
    set user_id = excluded.user_id, name = excluded.name, platform = excluded.platform,
        last_seen_at = excluded.last_seen_at, deleted = false
  returning * into d;
  return jsonb_build_object('ok', true, 'device', private.device_json(d));
end
$$;

-- The device a request comes from, when it names a registered device of
-- the caller's tenant in the X-Device-Id header (PostgREST passes the
-- headers in request.headers). Campaign rows may only be written by the
-- device that owns the campaign.
create function private.current_device_id() returns uuid
language plpgsql stable security definer set search_path = '' as $$
declare
  raw text := nullif(current_setting('request.headers', true), '')::jsonb ->> 'x-device-id';
  d   uuid;
begin
  if raw is null or raw !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return null;
  end if;
  select id into d from public.devices
  where id = raw::uuid and master_user_id = private.current_master_id() and not deleted;
  return d;
end
$$;

create function private.invitation_json(i public.staff_invitations) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('id', i.id, 'email', i.email, 'status', i.status,
                            'expires_at', i.expires_at, 'master_user_id', i.master_user_id)
$$;

-- An owner invites someone by email. Nothing reveals whether that email has
-- an account; inviting the same email again renews the invitation.
create function public.invite_staff(p_email text) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m     uuid := private.require_master();
  v_email text := lower(btrim(p_email));
  i       public.staff_invitations;
begin
  if not private.is_owner() then
    raise exception 'not_owner: only the account owner can invite staff'
      using errcode = 'XI020';
  end if;
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(v_email) > 254 then
    raise exception 'invalid_email: p_email must be an email address'
      using errcode = 'XI021';
  end if;
  perform private.lock_tenant(m);
  if exists (select 1 from public.profiles p where p.master_user_id = m and p.email = v_email) then
    raise exception 'already_member: % is already part of this account', v_email
      using errcode = 'XI022';
  end if;
  update public.staff_invitations
     set expires_at = now() + interval '14 days', invited_by = auth.uid()
   where master_user_id = m and email = v_email
     and status = 'pending'
  returning * into i;
  if not found then
    insert into public.staff_invitations (master_user_id, email, invited_by, expires_at)
    values (m, v_email, auth.uid(), now() + interval '14 days')
    returning * into i;
  end if;
  return jsonb_build_object('ok', true, 'invitation', private.invitation_json(i));
end
$$;

-- The invitee joins the inviting tenant. Their own account must be empty
-- (no staff, no synced rows): its data would otherwise become unreachable.
create function public.accept_staff_invite(p_invitation_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  me    uuid := auth.uid();
  m     uuid := private.require_master();
  i     public.staff_invitations;
  t     text;
  taken boolean;
begin
  select * into i from public.staff_invitations
  where id = p_invitation_id and email = private.current_email() for update;
  if not found or i.status <> 'pending' or i.expires_at <= now() then
    raise exception 'invitation_not_found: no pending invitation with this id for your email'
      using errcode = 'XI023';
  end if;
  if m = i.master_user_id then
    raise exception 'already_member: you are already part of this account'
      using errcode = 'XI022';
  end if;
  -- Both tenants locked (in id order, so two acceptances cannot deadlock)
  -- before checking that the invitee's own one is empty.
  perform private.lock_tenant(least(me, i.master_user_id));
  perform private.lock_tenant(greatest(me, i.master_user_id));
  if m <> me then
    raise exception 'already_member: you are staff of another account'
      using errcode = 'XI022';
  end if;
  if exists (select 1 from public.profiles p where p.master_user_id = me and p.id <> me) then
    raise exception 'account_not_empty: your account has staff of its own; it must have none to join a team'
      using errcode = 'XI024';
  end if;
  for t in select s.table_name from private.synced_tables s where s.kind <> 'server' loop
    execute format('select exists (select 1 from public.%I where master_user_id = $1)', t)
      into taken using me;
    if taken then
      raise exception 'account_not_empty: your own account already holds % rows; it must be empty to join a team', t
        using errcode = 'XI024';
    end if;
  end loop;
  update public.profiles set master_user_id = i.master_user_id, role = 'staff' where id = me;
  update public.staff_invitations set status = 'accepted', accepted_by = me where id = i.id
  returning * into i;
  return jsonb_build_object('ok', true, 'invitation', private.invitation_json(i),
                            'master_user_id', i.master_user_id);
end
$$;

-- The owner takes a staff member out of the tenant: they become the owner
-- of an account of their own again (with the allowance they had), and the
-- devices they registered here are marked deleted.
create function public.remove_staff(p_user_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m uuid := private.require_master();
begin
  if not private.is_owner() then
    raise exception 'not_owner: only the account owner can remove staff'
      using errcode = 'XI020';
  end if;
  perform private.lock_tenant(least(m, p_user_id));
  perform private.lock_tenant(greatest(m, p_user_id));
  update public.profiles set master_user_id = id, role = 'owner'
   where id = p_user_id and master_user_id = m and role = 'staff';
  if not found then
    raise exception 'not_staff: % is not staff of this account', p_user_id
      using errcode = 'XI025';
  end if;
  update public.devices set deleted = true
   where master_user_id = m and user_id = p_user_id and not deleted;
  return jsonb_build_object('ok', true, 'user_id', p_user_id);
end
$$;

revoke execute on function public.register_device(uuid, text, text),
                           public.invite_staff(text),
                           public.accept_staff_invite(uuid),
                           public.remove_staff(uuid)
  from public, anon, service_role;
grant execute on function public.register_device(uuid, text, text),
                          public.invite_staff(text),
                          public.accept_staff_invite(uuid),
                          public.remove_staff(uuid)
  to authenticated;
grant execute on function private.current_master_id(), private.is_owner(),
                          private.current_email(), private.current_device_id()
  to authenticated;
grant usage on schema private to authenticated;

revoke execute on all functions in schema private from public;
