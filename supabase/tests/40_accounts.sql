-- supabase/tests/40_accounts.sql — sign-up, devices, staff invitations.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(42);

create temporary table v (name text primary key, id uuid, doc jsonb);
grant all on v to authenticated, anon, service_role;
insert into v (name, id) values ('a', tests.create_user('Owner@Example.test')),
                                ('b', tests.create_user('other@example.test')),
                                ('s', tests.create_user('staff@example.test')),
                                ('d1', gen_random_uuid());

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- Sign-up
select is((select format('%s %s %s', role, master_user_id = id, email) from public.profiles
           where id = pg_temp.id('a')), 'owner t owner@example.test',
          'signing up makes the user the owner of their own tenant');
select is((select format('%s %s', plan, messages_limit) from public.user_quotas
           where master_user_id = pg_temp.id('a')), 'free 500', 'with the free allowance');
insert into auth.users (id, email, raw_user_meta_data)
values (gen_random_uuid(), 'named@example.test', '{"name": "Budi"}');
select is((select name from public.profiles where email = 'named@example.test'), 'Budi',
          'the name given at sign-up is the profile''s name');
set local role supabase_auth_admin;
insert into auth.users (id, email) values (gen_random_uuid(), 'via-auth@example.test');
reset role;
select is((select role from public.profiles where email = 'via-auth@example.test'), 'owner',
          'a sign-up by the auth server''s own role gets its profile too');
insert into v (name, id) select 'via-auth', id from auth.users where email = 'via-auth@example.test';
select tests.authenticate_as(pg_temp.id('via-auth'));
select ok(tests.insert_sample('groups', pg_temp.id('via-auth')) is not null, 'and can write at once');
select tests.clear_authentication();
set local role supabase_auth_admin;
delete from auth.users where email = 'via-auth@example.test';
reset role;
select is((select count(*)::int from public.groups g
           where not exists (select 1 from auth.users u where u.id = g.master_user_id)), 0,
          'deleting the user deletes their tenant''s rows');
update auth.users set email = 'owner2@example.test' where id = pg_temp.id('a');
select is((select email from public.profiles where id = pg_temp.id('a')), 'owner2@example.test',
          'a changed email reaches the profile');
update auth.users set email = 'owner@example.test' where id = pg_temp.id('a');

-- Devices
select tests.authenticate_as(pg_temp.id('a'));
select is(public.register_device(pg_temp.id('d1'), '  Kasir 1 ', 'linux') #>> '{device,name}', 'Kasir 1',
          'a device registers with its own id and a name');
select is(public.register_device(pg_temp.id('d1'), 'Kasir depan') #>> '{device,name}', 'Kasir depan',
          'registering again renames it');
select is(tests.count_rows('devices'), 1::bigint, 'still one device');
select throws_ok('select public.register_device(null, ''x'')', 'XI040', null,
                 'a device without an id is invalid_device_id');
select throws_ok(format('select public.register_device(%L, %L)', gen_random_uuid(), '   '), 'XI041', null,
                 'a blank name is invalid_device_name');
select throws_ok(format('select public.register_device(%L, %L)', gen_random_uuid(), repeat('x', 101)),
                 'XI041', null, 'so is a name of more than 100 characters');
select tests.authenticate_as(pg_temp.id('b'));
select throws_ok(format('select public.register_device(%L, %L)', pg_temp.id('d1'), 'Mine'), 'XI042', null,
                 'another tenant''s device id is device_id_in_use');
select tests.authenticate_as_anon();
select throws_ok(format('select public.register_device(%L, %L)', gen_random_uuid(), 'x'), '42501', null,
                 'anon cannot register a device');

-- Staff invitations
select tests.authenticate_as(pg_temp.id('a'));
select throws_ok('select public.invite_staff(''not an email'')', 'XI021', null,
                 'an invitation needs an email address');
select throws_ok('select public.invite_staff(''OWNER@example.test'')', 'XI022', null,
                 'the owner cannot invite themselves');
insert into v (name, doc) values ('inv', public.invite_staff(' Staff@Example.test '));
select is((select doc #>> '{invitation,email}' from v where name = 'inv'), 'staff@example.test',
          'an invitation is made for the normalised email');
select is(public.invite_staff('staff@example.test') #>> '{invitation,id}',
          (select doc #>> '{invitation,id}' from v where name = 'inv'),
          'inviting again renews the same invitation');
select tests.authenticate_as(pg_temp.id('b'));
select throws_ok(format('select public.accept_staff_invite(%L)',
                        (select doc #>> '{invitation,id}' from v where name = 'inv')),
                 'XI023', null, 'someone else cannot accept it');
select is(tests.count_rows('staff_invitations'), 0::bigint, 'or see it');
select tests.authenticate_as(pg_temp.id('s'));
select is(tests.count_rows('staff_invitations'), 1::bigint, 'the invitee sees it');
select is(tests.count_rows('profiles'), 1::bigint, 'before accepting the invitee sees only themselves');
select ok(tests.insert_sample('groups', pg_temp.id('s')) is not null, 'the invitee makes a group of their own');
select throws_ok(format('select public.accept_staff_invite(%L)',
                        (select doc #>> '{invitation,id}' from v where name = 'inv')),
                 'XI024', null, 'an account with data of its own cannot join (account_not_empty)');
select tests.clear_authentication();
delete from public.groups where master_user_id = pg_temp.id('s');
select tests.authenticate_as(pg_temp.id('s'));
select is(public.accept_staff_invite((select doc #>> '{invitation,id}' from v where name = 'inv')::uuid)
          ->> 'master_user_id', pg_temp.id('a')::text, 'an empty account accepts and joins');
select is(tests.count_rows('profiles'), 2::bigint, 'the staff now see the team');
select throws_ok(format('select public.accept_staff_invite(%L)',
                        (select doc #>> '{invitation,id}' from v where name = 'inv')),
                 'XI023', null, 'an invitation is accepted once');
select throws_ok('select public.invite_staff(''friend@example.test'')', 'XI020', null,
                 'staff cannot invite (not_owner)');
select tests.authenticate_as(pg_temp.id('a'));
select throws_ok('select public.invite_staff(''staff@example.test'')', 'XI022', null,
                 'a member cannot be invited again (already_member)');
insert into v (name, doc) values ('late', public.invite_staff('late@example.test'));
select tests.clear_authentication();
update public.staff_invitations set expires_at = now() - interval '1 second'
 where id = (select (doc #>> '{invitation,id}')::uuid from v where name = 'late');
insert into v (name, id) values ('late-user', tests.create_user('late@example.test'));
select tests.authenticate_as(pg_temp.id('late-user'));
select throws_ok(format('select public.accept_staff_invite(%L)',
                        (select doc #>> '{invitation,id}' from v where name = 'late')),
                 'XI023', null, 'an expired invitation cannot be accepted');

-- The state a device needs before pulling
select tests.authenticate_as(pg_temp.id('s'));
select ok((public.sync_state() ->> 'last_seq')::bigint > 0, 'sync_state gives the tenant''s last server_seq');
select is(public.sync_state() ->> 'master_user_id', pg_temp.id('a')::text, 'for the owner''s tenant');

-- Removing staff
select tests.authenticate_as(pg_temp.id('s'));
select throws_ok(format('select public.remove_staff(%L)', pg_temp.id('s')), 'XI020', null,
                 'staff cannot remove staff (not_owner)');
select tests.authenticate_as(pg_temp.id('b'));
select throws_ok(format('select public.remove_staff(%L)', pg_temp.id('s')), 'XI025', null,
                 'another owner cannot remove them (not_staff)');
insert into v (name, id) values ('d-staff', gen_random_uuid());
select tests.authenticate_as(pg_temp.id('s'));
select ok(public.register_device(pg_temp.id('d-staff'), 'Staff phone') is not null, 'the staff register a device');
select tests.authenticate_as(pg_temp.id('a'));
select is(public.remove_staff(pg_temp.id('s')) ->> 'ok', 'true', 'the owner removes them');
select is((select count(*)::int from public.devices where not deleted), 1, 'their device leaves with them');
select is(tests.count_rows('profiles'), 1::bigint, 'they are no longer in the team');
select tests.authenticate_as(pg_temp.id('s'));
select is(public.sync_state() ->> 'master_user_id', pg_temp.id('s')::text, 'they are on their own account again');
select throws_ok(format('select public.remove_staff(%L)', pg_temp.id('s')), 'XI025', null,
                 'and an owner cannot remove themselves');
select tests.clear_authentication();

select tests.authenticate_as_anon();
select throws_ok('select public.sync_state()', '42501', null, 'anon has no sync state');
select tests.clear_authentication();

select * from finish();
rollback;
