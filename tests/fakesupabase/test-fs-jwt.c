/* test-fs-jwt.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fs-jwt.h"

/* The gateway's tokens: what it signs it accepts, and what anybody
 * could make without the secret it refuses. */

#define SECRET "test-secret-of-the-xender-in-gateway-0123456789"
#define NOW 1800000000

static JsonObject *
claims_new (gint64 exp)
{
  JsonObject *claims = json_object_new ();

  json_object_set_string_member (claims, "sub", "3f1c2a4e-0000-4000-8000-000000000001");
  json_object_set_string_member (claims, "role", "authenticated");
  json_object_set_int_member (claims, "iat", NOW - 10);
  json_object_set_int_member (claims, "exp", exp);
  return claims;
}

static char *
base64url (const char *text)
{
  g_autofree char *plain = g_base64_encode ((const guchar *) text, strlen (text));

  g_strdelimit (plain, "+", '-');
  g_strdelimit (plain, "/", '_');
  return g_strndup (plain, strcspn (plain, "="));
}

static void
test_round_trip (void)
{
  g_autoptr(JsonObject) claims = claims_new (NOW + 3600);
  g_autofree char *token = fs_jwt_sign (SECRET, claims);
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(GError) error = NULL;

  back = fs_jwt_verify (SECRET, token, NOW, FS_JWT_SKEW_SECONDS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (back, "role"), ==, "authenticated");
  g_assert_cmpint (json_object_get_int_member (back, "exp"), ==, NOW + 3600);
}

static void
test_wrong_secret_and_tampering (void)
{
  g_autoptr(JsonObject) claims = claims_new (NOW + 3600);
  g_autofree char *token = fs_jwt_sign (SECRET, claims);
  g_autofree char *admin = base64url ("{\"sub\":\"x\",\"role\":\"service_role\",\"exp\":2000000000}");
  g_auto(GStrv) parts = g_strsplit (token, ".", 3);
  g_autofree char *forged = g_strjoin (".", parts[0], admin, parts[2], NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (fs_jwt_verify ("another-secret-of-at-least-32-characters", token, NOW, 30, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_SIGNATURE);
  g_clear_error (&error);

  g_assert_null (fs_jwt_verify (SECRET, forged, NOW, 30, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_SIGNATURE);
}

static void
test_algorithm_none (void)
{
  g_autofree char *header = base64url ("{\"alg\":\"none\",\"typ\":\"JWT\"}");
  g_autofree char *payload = base64url ("{\"role\":\"service_role\"}");
  g_autofree char *unsigned_token = g_strconcat (header, ".", payload, ".", NULL);
  g_autofree char *rs256 = base64url ("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
  g_autofree char *other = g_strconcat (rs256, ".", payload, ".AAAA", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (fs_jwt_verify (SECRET, unsigned_token, NOW, 30, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (fs_jwt_verify (SECRET, other, NOW, 30, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_MALFORMED);
}

static void
test_malformed (void)
{
  const char *tokens[] = { "", "abc", "a.b", "a.b.c.d", "!!.??.##", "e30.e30.", NULL };

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (fs_jwt_verify (SECRET, tokens[i], NOW, 30, &error));
      g_assert_nonnull (error);
    }
}

static void
test_times (void)
{
  g_autoptr(JsonObject) expired = claims_new (NOW - 20);
  g_autoptr(JsonObject) early = claims_new (NOW + 3600);
  g_autoptr(JsonObject) typed = claims_new (NOW + 3600);
  g_autofree char *expired_token = fs_jwt_sign (SECRET, expired);
  g_autofree char *early_token = NULL;
  g_autofree char *typed_token = NULL;
  g_autoptr(JsonObject) accepted = NULL;
  g_autoptr(GError) error = NULL;

  /* 20 s late is inside PostgREST's 30 s of skew, outside none. */
  accepted = fs_jwt_verify (SECRET, expired_token, NOW, 30, &error);
  g_assert_no_error (error);
  g_assert_null (fs_jwt_verify (SECRET, expired_token, NOW, 0, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_EXPIRED);
  g_clear_error (&error);

  json_object_set_int_member (early, "nbf", NOW + 60);
  early_token = fs_jwt_sign (SECRET, early);
  g_assert_null (fs_jwt_verify (SECRET, early_token, NOW, 30, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_CLAIMS);
  g_clear_error (&error);

  json_object_set_string_member (typed, "exp", "never");
  typed_token = fs_jwt_sign (SECRET, typed);
  g_assert_null (fs_jwt_verify (SECRET, typed_token, NOW, 30, &error));
  g_assert_error (error, FS_JWT_ERROR, FS_JWT_ERROR_CLAIMS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fakesupabase/jwt/round-trip", test_round_trip);
  g_test_add_func ("/fakesupabase/jwt/wrong-secret-and-tampering", test_wrong_secret_and_tampering);
  g_test_add_func ("/fakesupabase/jwt/algorithm-none", test_algorithm_none);
  g_test_add_func ("/fakesupabase/jwt/malformed", test_malformed);
  g_test_add_func ("/fakesupabase/jwt/times", test_times);

  return g_test_run ();
}
