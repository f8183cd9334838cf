-- supabase/tests/10_isolation.sql — tenant isolation for every table and
-- every command: two owners, a staff user of the first, and anon.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(223);

create temporary table ids (name text primary key, id uuid);
grant select, insert on ids to authenticated, anon, service_role;

insert into ids values ('a', tests.create_user('owner-a@example.test')),
                       ('b', tests.create_user('owner-b@example.test')),
                       ('s', tests.create_user('staff-a@example.test')),
                       ('da', gen_random_uuid()), ('db', gen_random_uuid()),
                       ('ds', gen_random_uuid());
select tests.make_staff((select id from ids where name = 'a'), (select id from ids where name = 's'));

-- What each tenant owns: one row of every table devices write, written by
-- the owner from their registered device, plus a quota reservation and a
-- payment.
create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from ids where name = p_name $$;

create function pg_temp.seed(p_owner text, p_device text) returns void
language plpgsql as $$
declare
  t text;
begin
  perform tests.authenticate_as(pg_temp.id(p_owner), pg_temp.id(p_device));
  perform public.register_device(pg_temp.id(p_device), 'Laptop ' || p_owner);
  perform public.reserve_quota(gen_random_uuid(), 10);
  for t in select c.table_name from tests.client_tables() c loop
    insert into ids values (p_owner || ':' || t,
                            tests.insert_sample(t, pg_temp.id(p_owner), pg_temp.id(p_device)));
  end loop;
  perform tests.authenticate_as_service_role();
  perform public.credit_payment('order-' || p_owner, pg_temp.id(p_owner), 50000, 'IDR', 1000);
  perform tests.clear_authentication();
end
$$;

select pg_temp.seed('a', 'da');
select pg_temp.seed('b', 'db');
select tests.authenticate_as(pg_temp.id('s'), pg_temp.id('ds'));
select public.register_device(pg_temp.id('ds'), 'Staff phone');
select tests.clear_authentication();

-- Per table of rows devices write: 9 checks (13 for editable and
-- single-writer tables).
create function pg_temp.check_writable(t text, kind text) returns setof text
language plpgsql as $$
declare
  a uuid := pg_temp.id('a');
  b uuid := pg_temp.id('b');
  row_a uuid := pg_temp.id('a:' || t);
  upd text := format('update public.%I set deleted = true, last_op_id = gen_random_uuid(), '
                     'base_version = version where id = %L', t, row_a);
begin
  perform tests.authenticate_as(a, pg_temp.id('da'));
  return next is(tests.count_rows(t), 1::bigint, t || ': the owner sees their tenant''s row');
  return next throws_ok(format('delete from public.%I where id = %L', t, row_a), '42501', null,
                        t || ': nobody deletes, not even the owner');

  perform tests.authenticate_as(pg_temp.id('s'), pg_temp.id('ds'));
  return next is(tests.count_rows(t), 1::bigint, t || ': staff see their owner''s row');

  perform tests.authenticate_as(b, pg_temp.id('db'));
  return next is(tests.count_rows(t), 1::bigint, t || ': the other tenant sees only its own row');
  return next throws_ok(format('select tests.insert_sample(%L, %L, %L)', t, a, pg_temp.id('db')),
                        '42501', null, t || ': the other tenant cannot insert into this tenant');

  perform tests.authenticate_as_anon();
  return next throws_ok(format('select count(*) from public.%I', t), '42501', null,
                        t || ': anon cannot read');
  return next throws_ok(format('select tests.insert_sample(%L, %L)', t, a), '42501', null,
                        t || ': anon cannot insert');
  return next throws_ok(upd, '42501', null, t || ': anon cannot update');

  if kind = 'append' then
    perform tests.authenticate_as(a, pg_temp.id('da'));
    return next throws_ok(upd, '42501', null, t || ': facts cannot be updated, not even by the owner');
  else
    perform tests.authenticate_as(b, pg_temp.id('db'));
    return next is(tests.affected(upd), 0::bigint, t || ': the other tenant''s update touches nothing');

    perform tests.authenticate_as(a, pg_temp.id('da'));
    return next throws_ok(format('update public.%I set master_user_id = %L, '
                                 'last_op_id = gen_random_uuid() where id = %L', t, b, row_a),
                          '42501', null, t || ': a row cannot be moved to another tenant');

    perform tests.authenticate_as(pg_temp.id('s'), pg_temp.id('ds'));
    if kind = 'single_writer' then
      return next is(tests.affected(upd), 0::bigint,
                     t || ': staff on another device cannot write the campaign');
      perform tests.authenticate_as(a);
      return next is(tests.affected(upd), 0::bigint,
                     t || ': a request naming no device cannot write the campaign');
      perform tests.authenticate_as(a, pg_temp.id('da'));
      return next is(tests.affected(upd), 1::bigint, t || ': the owning device writes it');
    else
      return next is(tests.affected(upd), 1::bigint, t || ': staff edit their owner''s rows');
      perform tests.authenticate_as(a, pg_temp.id('da'));
      return next is(tests.affected(format('update public.%I set last_op_id = gen_random_uuid(), '
                                           'base_version = version where id = %L', t, row_a)),
                     1::bigint, t || ': the owner edits their rows');
      return next ok(true, t || ': (editable)');
    end if;
  end if;
  perform tests.clear_authentication();
end
$$;

select pg_temp.check_writable(table_name, kind) from tests.client_tables();

-- Server-owned tables: read-only for every client role. 8 checks each.
create function pg_temp.check_server(t text, seen_by_a bigint, seen_by_s bigint, seen_by_b bigint)
returns setof text
language plpgsql as $$
declare
  r text;
begin
  perform tests.authenticate_as(pg_temp.id('a'));
  return next is(tests.count_rows(t), seen_by_a, t || ': what the owner sees');
  perform tests.authenticate_as(pg_temp.id('s'));
  return next is(tests.count_rows(t), seen_by_s, t || ': what staff see');
  perform tests.authenticate_as(pg_temp.id('b'));
  return next is(tests.count_rows(t), seen_by_b, t || ': what the other tenant sees');
  foreach r in array array['authenticated', 'anon'] loop
    if r = 'anon' then
      perform tests.authenticate_as_anon();
      return next throws_ok(format('select count(*) from public.%I', t), '42501', null,
                            t || ': anon cannot read');
    else
      perform tests.authenticate_as(pg_temp.id('a'));
    end if;
    return next throws_ok(format('insert into public.%I (master_user_id) values (%L)', t, pg_temp.id('a')),
                          '42501', null, t || ': ' || r || ' cannot insert');
    return next throws_ok(format('update public.%I set deleted = true', t), '42501', null,
                          t || ': ' || r || ' cannot update');
    if r = 'authenticated' then
      return next throws_ok(format('delete from public.%I', t), '42501', null,
                            t || ': ' || r || ' cannot delete');
    end if;
  end loop;
  perform tests.clear_authentication();
end
$$;

select pg_temp.check_server('user_quotas', 1, 1, 1);
select pg_temp.check_server('quota_reservations', 1, 1, 1);
select pg_temp.check_server('devices', 2, 2, 1);
select pg_temp.check_server('payments', 1, 0, 1);
select pg_temp.check_server('staff_invitations', 1, 1, 0);

-- profiles: read by the tenant, and each user edits three columns of
-- their own row.
select tests.authenticate_as(pg_temp.id('a'));
select is(tests.count_rows('profiles'), 2::bigint, 'profiles: the owner sees the owner and the staff');
select is(tests.affected(format('update public.profiles set name = %L where id = %L', 'Ani', pg_temp.id('a'))),
          1::bigint, 'profiles: a user edits their own name');
select is(tests.affected(format('update public.profiles set name = %L where id = %L', 'X', pg_temp.id('s'))),
          0::bigint, 'profiles: the owner cannot edit the staff''s profile');
select throws_ok(format('update public.profiles set master_user_id = %L where id = %L',
                        pg_temp.id('b'), pg_temp.id('a')),
                 '42501', null, 'profiles: a user cannot re-point their master_user_id');
select tests.authenticate_as(pg_temp.id('s'));
select throws_ok(format('update public.profiles set role = %L where id = %L', 'owner', pg_temp.id('s')),
                 '42501', null, 'profiles: staff cannot make themselves owner');
select throws_ok(format('update public.profiles set master_user_id = %L where id = %L',
                        pg_temp.id('s'), pg_temp.id('s')),
                 '42501', null, 'profiles: staff cannot leave for a tenant of their own');
select is(tests.count_rows('profiles'), 2::bigint, 'profiles: staff see the team');
select throws_ok(format('insert into public.profiles (id, master_user_id) values (%L, %L)',
                        gen_random_uuid(), pg_temp.id('a')),
                 '42501', null, 'profiles: nobody inserts a profile');
select throws_ok(format('delete from public.profiles where id = %L', pg_temp.id('s')),
                 '42501', null, 'profiles: nobody deletes a profile');
select tests.authenticate_as(pg_temp.id('b'));
select is(tests.count_rows('profiles'), 1::bigint, 'profiles: the other tenant sees only itself');
select tests.authenticate_as_anon();
select throws_ok('select count(*) from public.profiles', '42501', null, 'profiles: anon cannot read');
select tests.clear_authentication();
select is((select role || ':' || (master_user_id = pg_temp.id('a'))::text from public.profiles
           where id = pg_temp.id('s')), 'staff:true', 'profiles: the staff''s role and tenant are unchanged');

-- What the catalogue grants: anon nothing at all, users only their calls.
select is(array(select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname in ('public', 'private')
                  and (has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate')
                       or (c.relkind = 'S' and has_sequence_privilege('anon', c.oid, 'usage')))),
          '{}'::text[], 'anon holds no privilege on any table or sequence');
select is(array(select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname in ('public', 'private')
                  and has_function_privilege('anon', p.oid, 'execute')),
          '{}'::text[], 'anon may execute no function of the project');
select is(array(select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'public' and has_function_privilege('authenticated', p.oid, 'execute')
                order by 1),
          array['accept_staff_invite', 'check_quota_usage', 'commit_quota_usage',
                'get_user_activity_stats', 'invite_staff', 'register_device',
                'release_quota_reservation', 'remove_staff', 'reserve_quota', 'sync_state'],
          'users may call exactly the account, quota and sync functions');

-- Internal functions are not callable by clients.
select tests.authenticate_as_anon();
select throws_ok('select private.next_seq(gen_random_uuid())', '42501', null,
                 'anon cannot reach the private schema');
select throws_ok('select public.reserve_quota(gen_random_uuid(), 1)', '42501', null,
                 'anon cannot call the quota functions');
select tests.authenticate_as(pg_temp.id('a'));
select throws_ok('select private.next_seq(gen_random_uuid())', '42501', null,
                 'users cannot call the counter directly');
select throws_ok(format('select public.credit_payment(%L, %L, 1, %L, 1000000)', 'free', pg_temp.id('a'), 'IDR'),
                 '42501', null, 'users cannot credit themselves a payment');
select throws_ok('select public.purge_deleted()', '42501', null, 'users cannot purge');
select throws_ok('select public.reset_monthly_quotas()', '42501', null, 'users cannot reset quotas');
select tests.clear_authentication();

select * from finish();
rollback;
