/* placeholder */
typedef int wa_crypto_placeholder;
