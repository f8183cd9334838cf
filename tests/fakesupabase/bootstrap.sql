-- tests/fakesupabase/bootstrap.sql — the Supabase platform pieces the
-- project's migrations and the test gateway rely on.
--
-- A hosted Supabase project has these before its first migration runs; a
-- throwaway cluster (pg-cluster) gets them from this file, loaded by the
-- superuser into an empty database. Nothing here belongs to the project's
-- own schema: that lives in supabase/migrations/ and is applied unchanged
-- on top.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

\set ON_ERROR_STOP on
set client_min_messages = warning;

-- Roles. anon and authenticated are what a request runs as (chosen by the
-- JWT's role claim); NOINHERIT so that holding one never silently lends its
-- rights to another. service_role is the server-side key and bypasses RLS.
-- The gateway logs in as authenticator, which owns nothing and can only
-- switch to the three; its auth half logs in as supabase_auth_admin.
create role anon          nologin noinherit;
create role authenticated nologin noinherit;
create role service_role  nologin noinherit bypassrls;
create role authenticator login   noinherit;
grant anon, authenticated, service_role to authenticator;
create role supabase_auth_admin login noinherit;

-- Supabase's limits per request role. They take effect at login, or when a
-- PostgREST-like gateway applies the role's settings after switching role.
alter role anon          set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;

-- Extensions live in their own schema, as on Supabase, so that public holds
-- only the project's objects.
create schema extensions;
create extension pgcrypto    with schema extensions;
create extension "uuid-ossp" with schema extensions;
grant usage on schema extensions to anon, authenticated, service_role, supabase_auth_admin;

-- The search path a Supabase database gives every session.
do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions',
                 current_database());
end
$$;

-- The auth schema belongs to the auth server; everybody may call the
-- helpers, nobody but its owner may touch the tables.
create schema auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

set role supabase_auth_admin;

create table auth.users (
  id                 uuid primary key default extensions.gen_random_uuid(),
  instance_id        uuid,
  aud                text,
  role               text,
  email              text unique,
  phone              text,
  encrypted_password text,
  email_confirmed_at timestamptz,
  raw_app_meta_data  jsonb,
  raw_user_meta_data jsonb,
  is_anonymous       boolean not null default false,
  last_sign_in_at    timestamptz,
  created_at         timestamptz default now(),
  updated_at         timestamptz default now()
);

create table auth.sessions (
  id         uuid primary key default extensions.gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  not_after  timestamptz
);
create index sessions_user_id_idx on auth.sessions (user_id);

create table auth.refresh_tokens (
  id         bigserial primary key,
  token      text unique,
  user_id    uuid,
  session_id uuid references auth.sessions (id) on delete cascade,
  parent     text,
  revoked    boolean not null default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create index refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
create index refresh_tokens_parent_idx on auth.refresh_tokens (parent);

-- The JWT helpers, with GoTrue's semantics: PostgREST 12 and later set only
-- the JSON claims setting, older ones one setting per claim, and an empty
-- string counts as unset (a setting once set in a session stays defined).
create function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid
$$;

create function auth.role() returns text
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')::text
$$;

create function auth.email() returns text
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),
                  nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')::text
$$;

create function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;

reset role;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;

-- Supabase's defaults for the exposed schema: every request role may use
-- it, and whatever the migrations (run by postgres) create there is granted
-- to all of them until a migration revokes it. The project's migrations
-- therefore revoke what each table must not allow.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables    to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
