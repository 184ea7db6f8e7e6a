#!/usr/bin/env python3
"""Writes N users as JSON Lines for `roster user import`, all with one pre-made argon2id
hash (so seeding does not spend an hour hashing).

    python3 benches/seed_users.py N HASH > users.jsonl

The users look like a real directory's, not like `user0000001`: given and family names
from many languages (some with diacritics, some with two parts), usernames in the styles
people and companies pick (`maria.garcia`, `mgarcia7`, `garcia_m1987`, …), addresses at the
big mail providers and at a few thousand company domains. Uniform names flatter every
index (the trigram index of the search above all); these do not. The output is the same
for the same N (a fixed seed).

Search terms with known frequencies: every 10th user's family name is "Lindqvist" (the
common term, ~10% of rows; no other name, username part or domain contains it), and the
users 1, N/4, N/2, 3N/4 and N-1 have "Zyqvorn" in their name (the rare term, 5 matches).
"""
import json
import random
import sys
import unicodedata

FIRST = """Ada Aiko Aleksander Alice Amara Amir Ana Andrea Anja Arjun Astrid Aylin Bartosz Beatriz
Bjørn Bruno Camille Carlos Catalina Chen Chiara Chloé Dagny Daniel Dmitri Elena Elif Emeka Emma
Enzo Erik Esther Fatima Felipe Finn Freya Gabriel Giulia Greta Hana Hannah Hiro Ibrahim Ines
Ingrid Isabel Ivan Jakub Jamal Jana Javier João Jonas Jorge Julia Kai Kamila Karin Kasper Kenji
Kira Lars Laura Leila Lena Léo Liam Lina Lucas Luca Lucía Magnus Mara Marek Maria Mateo Mei Mia
Mikael Milan Nadia Naomi Nils Noah Nora Olga Oliver Omar Oskar Pablo Paula Pavel Pedro Priya
Quentin Quinn Rafael Rania Rosa Ruben Sakura Sami Sara Sebastián Sofia Sören Stefan Sven Tariq
Teresa Thomas Tilde Tomás Ugo Valentina Vera Victor Wei Wiktoria Xavier Yara Yusuf Zainab Zoé
Zofia Ahmed Björn Céline Dorota Émile Fernando Gül Hélène Ilse Jürgen Kateřina Lotte Małgorzata
Nikolai Ørjan Piotr Radka Siobhán Tadeusz Ulla Vanessa Wojciech Yosef""".split()

LAST = """Abbott Achterberg Adeyemi Albrecht Almeida Andersen Arslan Bakker Bauer Becker Bergström
Bianchi Blanc Bogdan Bonnet Brandt Brown Carvalho Castillo Chen Costa Czerny Dąbrowski Dahl
Dubois Duarte Eriksen Esposito Fernández Fischer Fontaine García Gómez Graf Greco Gruber Hansen
Haas Hartmann Hoffmann Horvat Huber Ivanova Jansen Jensen Johansson Kaya Keller Kim Klein Kovač
Kowalski Krüger Kumar Lambert Larsen Laurent Lehmann Lopes Lorenz Martín Marino Meyer Moreau
Müller Murphy Nakamura Navarro Nielsen Novak Nowak O'Brien Okafor Olsen Ortega Papadopoulos
Park Pereira Petrov Popescu Quispe Ramos Ricci Rossi Rousseau Sánchez Santos Sato Schmidt
Schneider Schulz Silva Smirnov Sokolov Suzuki Svensson Szabó Tanaka Torres Tran Uçar Van Dijk
Varga Vasquez Vogel Wagner Walsh Weber Wiśniewski Wójcik Yamamoto Yilmaz Zhang Zimmermann
De Luca Da Silva Nguyen Haddad Mensah Kariuki Petersen Lindgren Holm Virtanen Korhonen Mäkinen
Ahonen Halvorsen Solberg Berg Strand Eklund Forsberg Sandberg Nyström Öberg""".split("\n")
LAST = [name for line in LAST for name in line.split() if name not in ("De", "Da", "Van")] + [
    "De Luca", "Da Silva", "Van Dijk", "García Márquez", "Müller-Lüdenscheidt"]

PROVIDERS = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me",
             "gmx.de", "web.de", "orange.fr", "libero.it", "mail.ru", "yandex.ru", "qq.com",
             "naver.com", "fastmail.com", "posteo.de", "seznam.cz", "wp.pl", "free.fr",
             "t-online.de"]
SYLLABLES = ["ac", "ber", "cor", "dal", "en", "fix", "gen", "hal", "io", "jet", "kor", "lum",
             "mar", "nex", "or", "pro", "qua", "ros", "sol", "tec", "ul", "ver", "wex", "xen",
             "yo", "zen", "tri", "sys", "net", "data"]
TLDS = ["com", "de", "fr", "io", "co.uk", "nl", "se", "it", "es", "pl", "org", "net", "ch", "at"]


def ascii_lower(text):
    """What a user would type for a username: no accents, no spaces or apostrophes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == "-").replace("-", "")


def main():
    count, password_hash = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261204)
    domains = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
                      + "." + rng.choice(TLDS) for _ in range(4000)})
    rare = {1, count // 4, count // 2, 3 * count // 4, count - 1}
    out = sys.stdout
    for i in range(count):
        first = rng.choice(FIRST)
        last = "Lindqvist" if i % 10 == 3 else rng.choice(LAST)
        name = f"{first} {last}"
        if rng.random() < 0.15:
            name = f"{first} {rng.choice(FIRST)} {last}"
        if i in rare:
            name += " Zyqvorn"
        f, l = ascii_lower(first), ascii_lower(last)
        # Every username and address carries the user's number in some form: unique by
        # construction, yet each shaped like a real one.
        style = rng.randrange(6)
        if style == 0:
            username = f"{f}.{l}{i}"
        elif style == 1:
            username = f"{f[0]}{l}{i}"
        elif style == 2:
            username = f"{l}_{f[0]}{i}"
        elif style == 3:
            username = f"{f}{i:x}"
        elif style == 4:
            username = f"{f}-{l}-{i % 97}-{i // 97}"
        else:
            username = f"{l}{f[:3]}{i}"
        domain = rng.choice(PROVIDERS) if rng.random() < 0.45 else rng.choice(domains)
        local = username if rng.random() < 0.5 else f"{f}.{l}.{i}"
        out.write(json.dumps({
            "username": username[:64],
            "email": f"{local}@{domain}",
            "name": name,
            "passwordHash": password_hash,
        }, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")


main()
