-- supabase/tests/80_lid_opt_outs.sql — an opt-out sent from a LID whose
-- number is hidden is accepted under the LID; nothing else but a number
-- is.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(6);

create temporary table v (name text primary key, id uuid);
grant all on v to authenticated, anon, service_role;
insert into v values ('a', tests.create_user('lid-a@example.test'));

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- One opt-out of account a from p_phone, as the app pushes a fact.
create function pg_temp.opt_out(p_phone text) returns integer
language sql as $$
  select count(*)::int from tests.upsert('suppression_events',
    jsonb_build_object('id', gen_random_uuid(), 'master_user_id', pg_temp.id('a'),
                       'phone', p_phone, 'event', 'opt_out', 'source', 'reply',
                       'keyword', 'STOP', 'last_op_id', gen_random_uuid()), 'id', true)
$$;

select tests.authenticate_as(pg_temp.id('a'));

select is(pg_temp.opt_out('236395184570386@lid'), 1, 'an opt-out from a LID is kept');
select is(pg_temp.opt_out('628123456789'), 1, 'as one from a number still is');
select throws_ok($$ select pg_temp.opt_out('236395184570386:12@lid') $$, '23514', null,
                 'a LID with a device is refused');
select throws_ok($$ select pg_temp.opt_out('628123456789@s.whatsapp.net') $$, '23514', null,
                 'a number''s JID is refused');
select throws_ok($$ select pg_temp.opt_out('@lid') $$, '23514', null, 'a LID without digits is refused');
select is((select count(*)::int from public.suppression_events
            where master_user_id = pg_temp.id('a') and phone = '236395184570386@lid'),
          1, 'and the LID''s opt-out reads back under the LID');

select * from finish();
rollback;
