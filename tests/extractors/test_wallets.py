"""Address validators against official vectors (copied here as facts, sources named)."""

import pytest

from extractors import validate_address
from extractors._wallets import b58decode_check, is_wif, validate_eth, validate_segwit, validate_xmr

# BIP-173 / BIP-350 (bitcoin/bips, bip-0350.mediawiki "Test vectors for v0-v16 native segwit addresses")
SEGWIT_VALID = [
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
]
SEGWIT_INVALID = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid human-readable part
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 instead of bech32m
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",  # bech32 instead of bech32m
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 instead of bech32m
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m instead of bech32
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # invalid character
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # invalid program length
    "bc1pw5dgrnzv",  # invalid program length (1 byte)
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",  # invalid program length for witness v0 (BIP-141)
    "bc1gmk9yu",  # empty data section
]


@pytest.mark.parametrize("address", SEGWIT_VALID)
def test_bip350_valid_addresses_validate(address):
    assert validate_segwit(address) is not None


@pytest.mark.parametrize("address", SEGWIT_INVALID)
def test_bip350_invalid_addresses_are_rejected(address):
    assert validate_address(address) is None


def test_segwit_mixed_case_is_rejected():
    assert validate_segwit("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") is None


def test_taproot_key_above_field_size_is_rejected():
    # bitcoinjs fixtures, invalid.toOutputScript: "Invalid pubkey for p2tr"
    assert validate_address("bc1pllllllllllllllllllllllllllllllllllllllllllllallllshsdfvw2y") is None


# Bitcoin Core key_io_valid.json / base58_keys_valid.json
@pytest.mark.parametrize(
    ("address", "chain", "network"),
    [
        ("1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", "btc", "main"),
        ("3CMNFxN1oHBc4R1EpboAL5yzHGgE611Xou", "btc", "main"),
        ("mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs", "btc", "testnet"),
        ("2N2JD6wb56AfK4tfmM6PwdVmoYk2dCKf4Br", "btc", "testnet"),
        ("TNDzfERDpxLDS2w1q6yaFC7pzqaSQ3Bg3r", "trx", "main"),
        ("DPpJVPpvPNP6i6tMj4rTycAGh8wReTqaSU", "doge", "main"),
        ("Xx4dYKgz3Zcv6kheaqog3fynaKWjbahb6b", "dash", "main"),
        ("t1U9yhDa5XEjgfnTgZoKddeSiEN1aoLkQxq", "zec", "main"),
    ],
)
def test_base58check_addresses_validate_with_chain(address, chain, network):
    info = validate_address(address)
    assert info is not None and (info.chain, info.network) == (chain, network)


@pytest.mark.parametrize(
    "address",
    [
        "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62j",  # last character changed: checksum fails
        "TNDzfERDpxLDS2w1q6yaFC7pzqaSQ3Bg31",  # multicoin-address-validator: incorrect tron
        "t1Y9yhDa5XEjgfnTgZoKddeSiEN1aoLkQxq",  # incorrect zcash
        "x",
        "",
        "0" * 34,
    ],
)
def test_base58_corruptions_are_rejected(address):
    assert validate_address(address) is None


def test_wif_private_key_is_recognised_and_not_an_address():
    wif = "5JuW2AMDYu4xVwRG9DZW18VbzQrGcd5RCgb99sS6ehJsNQXu5b9"  # Bitcoin Core key_io_valid (privkey)
    assert is_wif(wif)
    assert validate_address(wif) is None


def test_base58check_rejects_a_flipped_character():
    assert b58decode_check("1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i") is not None
    assert b58decode_check("1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62I") is None


# EIP-55 "Test Cases" (ethereum/ERCs erc-55.md)
EIP55 = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55)
def test_eip55_vectors_validate(address):
    assert validate_eth(address) is not None


@pytest.mark.parametrize("address", EIP55[4:])
def test_eip55_one_case_flip_fails(address):
    i = next(i for i, ch in enumerate(address) if i > 1 and ch.isalpha())
    flipped = address[:i] + address[i].swapcase() + address[i + 1 :]
    assert validate_eth(flipped) is None


@pytest.mark.parametrize("address", ["0XD1220A0CF47C7B9BE7A2E6BA89F429762E7B9ADB", "0xff4d6793F584a473", "aFf4d6793f584a473348ebA058deb8caad77a2885"])
def test_eth_malformed(address):
    assert validate_address(address) is None


# monero-python tests/test_address.py
XMR_VALID = {
    "47ewoP19TN7JEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef": ("main", "standard"),
    "4HMcpBpe4ddJEEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8M7yKhzQhKW3ECCLWQw": ("main", "integrated"),
    "84LooD7i35SFppgf4tQ453Vi3q5WexSUXaVgut69ro8MFnmHwuezAArEZTZyLr9fS6QotjqkSAxSF6d1aDgsPoX849izJ7m": ("main", "subaddress"),
    "9wuKTHsxGiwEsMp2fYzJiVahyhU2aZi1oZ6R6fK5U64uRa1Pxi8diZh2S1GJFqYXRRhcbfzfWiPD819zKEZkXTMwP7hMs5N": ("testnet", "standard"),
    "52jzuBBUMty3xPL3JsQxGP74LDuV6E1LS8Zda1PbdqQjGzFmH6N9ep9McbFKMALujVT9S5mKpbEgC5VPhfoAiVj8LdAqbp6": ("stagenet", "standard"),
    "7AeQwvrLtPeYoXVPRkEu8oEL7N9wnqHjYKwSvTf6YKbHgYmw6AJMsjggzVLo21egMK9qcoV1mxCTfP4FbaGb7JEMDfpLetk": ("stagenet", "subaddress"),
}
XMR_INVALID = [
    "47ewoP19TN7JCEnFKUJHAYhGxkeTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8Ebsmgef",
    "4HMcpBpe4ddJEEnFKUJHAYhGxkyTRH82sf36giEp9AcNfDBfkAtRLX7A6rZz18bbNHPNV7ex6WYbMN3aKisFRJZ8M7yKhzQhKW3ECCLWQw",
    "41tjz19p4qc2gudqnwsdrhgcgxud8bgxy84ufe869nyw7ywbxw9s9gqbix7piu9d7qjvbjtrdnbubhcf663ydq3bsxj1brL",
    "Cf6RinMUztY5otm6NEFjg3UWBBkXK6Lh23wKrLFMEcCY7i3A6aPLH9i4QMCkf6CdWk8Q9N7yoJf7ANKgtQMuPM6JANXgCWs",
]


@pytest.mark.parametrize(("address", "expected"), XMR_VALID.items())
def test_monero_vectors_validate_with_network_and_kind(address, expected):
    info = validate_xmr(address)
    assert info is not None and (info.network, info.kind) == expected


@pytest.mark.parametrize("address", XMR_INVALID)
def test_monero_corruptions_are_rejected(address):
    assert validate_address(address) is None
