#!/usr/bin/env python3
"""Writes N users as JSON Lines for `roster user import`, all with one pre-made argon2id
hash (so seeding does not spend an hour hashing).

    python3 benches/seed_users.py N HASH > users.jsonl

Search terms with known frequencies: every 10th user's name contains "lindqvist" (the
common term, ~10% of rows), and the users 1, N/4, N/2, 3N/4 and N-1 have "zyqvorn" in their
name (the rare term, 5 matches).
"""
import json
import sys

FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas",
         "Kira", "Luca", "Mara", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tilde"]
LAST = ["Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat",
        "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Olsen", "Petrov"]


def main():
    count, password_hash = int(sys.argv[1]), sys.argv[2]
    rare = {1, count // 4, count // 2, 3 * count // 4, count - 1}
    out = sys.stdout
    for i in range(count):
        last = "Lindqvist" if i % 10 == 3 else LAST[(i * 7) % len(LAST)]
        name = f"{FIRST[i % len(FIRST)]} {last}"
        if i in rare:
            name += " Zyqvorn"
        out.write(json.dumps({
            "username": f"user{i:07d}",
            "email": f"user{i:07d}@example.com",
            "name": name,
            "passwordHash": password_hash,
        }, separators=(",", ":")))
        out.write("\n")


main()
