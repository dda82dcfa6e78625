//! Files that hold credentials by their nature: their lines never feed a pair, whatever
//! the detectors would say of them.

/// Whether `path` (as git names it) is a file that holds credentials.
pub fn is_credential_path(path: &str) -> bool {
    let path = path.trim().trim_matches('"');
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    const NAMES: &[&str] = &[
        ".npmrc",
        ".pypirc",
        ".netrc",
        "_netrc",
        ".pgpass",
        ".htpasswd",
        "shadow",
        "gshadow",
        "master.key",
        ".git-credentials",
        ".dockercfg",
        ".s3cfg",
        ".boto",
        "sitemanager.xml",
        "recentservers.xml",
        "filezilla.xml",
        "credentials-config.json",
        "robomongo.json",
        "robo3t.json",
        "sftp-config.json",
        ".ftpconfig",
        ".remote-sync.json",
        "sftp.json",
        "wp-config.php",
        "secrets.yml",
        "secrets.yaml",
        "terraform.tfstate",
        "terraform.tfstate.backup",
        ".vault-token",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "keystore.properties",
        // Session 16: the dotfiles of mail, FTP and database clients, browsers' saved
        // logins, shells' and database shells' histories (passwords typed on command lines).
        ".credentials",
        ".my.cnf",
        ".mylogin.cnf",
        ".esmtprc",
        ".msmtprc",
        ".fetchmailrc",
        ".tugboat",
        "proftpdpasswd",
        "ventrilo_srv.ini",
        "webservers.xml",
        "logins.json",
        "key3.db",
        "key4.db",
        ".bash_history",
        ".zsh_history",
        ".mysql_history",
        ".psql_history",
        ".rediscli_history",
        "kubeconfig",
        // Session 17: positional secrets no key=value detector can read (pppd's
        // `client server secret`, davfs2's `url user password`), Samba's and Emacs' password
        // files, and keytabs.
        "chap-secrets",
        "pap-secrets",
        "htpasswd",
        ".htdigest",
        "smbpasswd",
        ".smbpasswd",
        ".smbcredentials",
        ".authinfo",
        ".authinfo.gpg",
        "secring.gpg",
        // Session 47: strongSwan's secrets, Postfix's relay passwords, s3fs' keys, rclone's
        // remotes (obscured passwords and OAuth tokens), Redis' ACL file.
        "ipsec.secrets",
        "sasl_passwd",
        "passwd-s3fs",
        ".passwd-s3fs",
        "rclone.conf",
        "users.acl",
        // Session 56: PgBouncer's auth_file, `"user" "password"` a line (plain, md5 or SCRAM).
        "userlist.txt",
    ];
    const SUFFIXES: &[&str] = &[
        ".pem",
        ".key",
        ".ppk",
        ".ovpn",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".kdbx",
        ".kdb",
        ".sql.gz",
        ".dump",
        ".asc.key",
        ".keytab",
        ".jceks",
        ".pkcs12",
        // Session 52: a .NET strong-name key pair (its private key; the `.snk` file signs every
        // build), and Terraform state under any name (`-state=prod.tfstate`), in plain text.
        ".snk",
        ".tfstate",
        ".tfstate.backup",
    ];
    NAMES.contains(&name)
        || name.starts_with(".env") && !name.ends_with(".rs") && !name.ends_with(".py") && !name.ends_with(".ts") && !name.ends_with(".js")
        || name.starts_with("credentials")
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        || (name.ends_with(".sql") && ["dump", "backup", "export"].iter().any(|w| name.contains(w)))
        || lower.ends_with(".docker/config.json")
        || lower.ends_with(".aws/credentials")
        || lower.ends_with(".kube/config")
        || lower.ends_with("composer/auth.json")
        || lower.ends_with("davfs2/secrets")
        || lower.ends_with(".vnc/passwd")
        || lower.ends_with("gh/hosts.yml")
        || (lower.contains("usersecrets/") && name == "secrets.json")
        || lower.contains(".gnupg/private-keys-v1.d/")
        || lower.contains(".ssh/") && !name.ends_with(".pub") && name != "known_hosts" && name != "config"
}

#[cfg(test)]
mod tests {
    use super::is_credential_path;

    #[test]
    fn credential_files_by_name() {
        for p in [
            ".env",
            "app/.env.production",
            ".npmrc",
            "deploy/.pypirc",
            ".netrc",
            ".pgpass",
            "public/.htpasswd",
            "etc/shadow",
            "home/u/.ssh/id_rsa",
            "certs/server.pem",
            "keys/prod.ppk",
            "store.p12",
            "config/master.key",
            "credentials.json",
            ".git-credentials",
            "home/u/.docker/config.json",
            "FileZilla/sitemanager.xml",
            "DBeaverData/workspace6/General/.dbeaver/credentials-config.json",
            "db.kdbx",
            "backups/prod_dump.sql",
            "wp-config.php",
            "config/secrets.yml",
            "home/u/.aws/credentials",
            "cloud/.credentials",
            "home/u/.my.cnf",
            ".mozilla/firefox/abc.default/logins.json",
            "home/u/.bash_history",
            "vpn/office.ovpn",
            "home/u/.kube/config",
            ".composer/auth.json",
            ".idea/WebServers.xml",
            "proftpdpasswd",
            "etc/ppp/chap-secrets",
            "etc/davfs2/secrets",
            "home/u/.davfs2/secrets",
            "home/u/.vnc/passwd",
            "home/u/.smbcredentials",
            "etc/krb5.keytab",
            "home/u/.authinfo.gpg",
            "home/u/.gnupg/private-keys-v1.d/ABCD.key",
            "etc/ipsec.secrets",
            "etc/postfix/sasl_passwd",
            "home/u/.passwd-s3fs",
            "home/u/.config/rclone/rclone.conf",
            "etc/redis/users.acl",
            "home/u/.config/gh/hosts.yml",
            "home/u/.microsoft/usersecrets/6f1c/secrets.json",
            "src/MyLib/MyLib.snk",
            "infra/envs/prod.tfstate",
            "infra/envs/prod.tfstate.backup",
            "etc/pgbouncer/userlist.txt",
        ] {
            assert!(is_credential_path(p), "{p}");
        }
        for p in [
            "src/env.rs",
            "src/environment.ts",
            "db/migrations/001_create.sql",
            "home/u/.ssh/id_rsa.pub",
            "docs/keys.md",
            "src/credential_helper.rs",
            ".ssh/known_hosts",
            "package.json",
            "src/history.rs",
            "config/kube.rs",
            "src/auth.json.rs",
            "src/secrets.rs",
            "docs/davfs2.md",
            "etc/passwd",
            "src/vnc/passwd_dialog.rs",
            "docs/hosts.yml",
            "src/secrets.json",
            "docs/userlist.md",
        ] {
            assert!(!is_credential_path(p), "{p}");
        }
    }
}
