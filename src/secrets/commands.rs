//! Passwords on command lines, where a tool's own flag or a position says what the value is:
//! scripts, Dockerfiles, CI jobs and READMEs run `sqlcmd -P …`, `ldapsearch -w …`,
//! `keytool -storepass …`, `sqlplus user/…@db`, `echo '…' | sudo -S`. (`docker login -p`,
//! `sshpass`, MySQL's `-p…`, `htpasswd` and `curl -u` are `detectors.rs`' own; `redis-cli -a`
//! is with Redis in `services.rs`.)

use super::checks::{cli_password, command_password, value_of_name};
use super::detectors::{d, Detector};
use super::devices::is_community;

/// Tools, the flag after which each takes a password (its separator included), and how many
/// such flags one command may hold (`keytool`'s store and key passwords, SNMPv3's two). A flag
/// that reads the password from elsewhere (`-W`, `-storepass:env`, `--passphrase-fd`) does
/// not match.
const FLAGS: &[(&str, &str, usize)] = &[
    // SQL Server's tools, IPMI, Mosquitto, zip.
    (r"sqlcmd|bcp|osql|isql|ipmitool|mosquitto_pub|mosquitto_sub|mosquitto_rr|zip|unzip", r"-P[ \t]+", 1),
    (r"psexec|PsExec|PsExec64|rdesktop", r"-p[ \t]+", 1),
    // OpenLDAP's clients (`-W` asks).
    (r"ldapsearch|ldapadd|ldapmodify|ldapdelete|ldappasswd|ldapwhoami|ldapcompare|ldapmodrdn|ldapexop", r"-w[ \t]+", 1),
    (r"mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport|mongostat|mongotop|mongofiles", r"-p[ \t]+", 1),
    // InfluxDB 1.x's CLI takes its long flags with one dash.
    (r"influx", r"-password[ \t=]+", 1),
    (r"gpg|gpg2", r"--passphrase[ \t=]+", 1),
    (r"keytool", r"-(?:src|dest)?(?:storepass|keypass)[ \t]+|-new[ \t]+", 4),
    (r"jarsigner", r"-(?:storepass|keypass)[ \t]+", 2),
    // macOS's keychains in iOS builds' CI (`security create-keychain -p …`, `unlock-keychain`,
    // `set-key-partition-list -k …`; `import cert.p12 -P …`, the file's password).
    (r"security[ \t]+(?:create-keychain|unlock-keychain|set-keychain-settings)", r"-p[ \t]+", 1),
    (r"security[ \t]+set-key-partition-list", r"-k[ \t]+", 1),
    (r"security[ \t]+import", r"-P[ \t]+", 1),
    // Apple's uploads and notarization with an app-specific password.
    (r"altool|notarytool", r"-p[ \t]+|--password[ \t=]+", 1),
    // OpenSSL's `enc` (or a cipher as the command): a password after `-k`, a raw key in hex
    // after `-K`.
    (r"openssl[ \t]+(?:enc|aes-[0-9]+-[a-z0-9]+|des3|des-ede3-cbc|bf|chacha20|camellia-[0-9]+-[a-z0-9]+)", r"-[kK][ \t]+", 2),
    (r"ssh-keygen", r"-[NP][ \t]+", 2),
    (r"redis-server|valkey-server|keydb-server", r"--(?:requirepass|masterauth)[ \t]+", 2),
    (r"xfreerdp|wlfreerdp|sdl-freerdp", r"/p:", 1),
    (r"plink|pscp|psftp|putty", r"-pw[ \t]+", 1),
    (r"cmdkey", r"/pass:", 1),
    (r"schtasks", r"/RP[ \t]+", 1),
    // 7-Zip's and RAR's `-p…` is glued to its value (`-p` alone asks).
    (r"7z|7za|7zr|rar|unrar", r"-p", 1),
    // Samba's clients take `-U user%password`.
    (r"smbclient|rpcclient|smbcacls|smbget|smbmap|winexe", r"-U[ \t]*[^\s%'\x22]+%|--user=[^\s%'\x22]+%", 1),
    (r"jenkins-cli|jenkins-cli\.jar", r"-auth[ \t]+[^\s:@'\x22]+:", 1),
    (r"lftp", r"-u[ \t]+[^\s,'\x22]+,", 1),
    // NetworkManager's `nmcli dev wifi connect SSID password …`, mysqladmin's `password …`.
    (r"nmcli", r"password[ \t]+|wifi-sec\.psk[ \t]+|802-11-wireless-security\.psk[ \t]+", 1),
    (r"mysqladmin", r"password[ \t]+", 1),
    // SNMPv3's authentication and privacy passphrases.
    (SNMP, r"-[AX][ \t]+", 2),
];

/// net-snmp's tools, for their SNMPv3 passphrases and their community.
const SNMP: &str = "snmpwalk|snmpget|snmpset|snmpbulkwalk|snmpbulkget|snmpgetnext|snmptable|snmptrap|snmpinform|snmpstatus|snmpdf";

/// Where a tool's name starts: a line, a space, a path's `/`, a quote, a call's `(`, an `=`.
const TOOL_START: &str = r"(?m)(?:^|[\s/\x22'`(=])";

/// A command's value: quoted as written, or a word.
const VALUE: &str = r#"(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"|;&]{4,}))"#;

/// An argument before the value (a user's or a network's name).
const WORD: &str = r#"(?:'[^'\r\n]*'|"[^"\r\n]*"|\S+)"#;

/// The same, captured by no group: a value before the one a pattern is for.
const SKIPPED: &str = r#"(?:'[^'\r\n]+'|"[^"\r\n]+"|[^\s'"|;&]+)"#;

/// A tool's name, then its arguments on the same command up to the flag, whose value is the
/// `nth` (from 0) of the command's values after such a flag: a match holds one value, and the
/// next search starts after it, where the tool's name is no longer in sight. One pattern for
/// every tool that may hold so many (one regex compiles faster than one per tool).
fn after_flag(nth: usize) -> String {
    let tools: Vec<String> = FLAGS
        .iter()
        .filter(|(_, _, most)| *most > nth)
        .map(|(tools, flag, _)| tool_flag(tools, &format!(r"(?:[^\r\n|;&]*?[ \t](?:{flag}){SKIPPED}){{{nth}}}"), flag))
        .collect();
    format!(r"{TOOL_START}(?:{}){VALUE}", tools.join("|"))
}

/// One of `tools`, what `skipped` takes, its other arguments on the same command, then `flag`.
fn tool_flag(tools: &str, skipped: &str, flag: &str) -> String {
    format!(r"(?:{tools})(?:\.exe)?{skipped}(?:[ \t][^\r\n|;&]*?)?[ \t](?:{flag})")
}

pub(super) fn detectors() -> Vec<Detector> {
    let most = FLAGS.iter().map(|f| f.2).max().unwrap_or(0);
    let mut found: Vec<Detector> = (0..most).map(|nth| d("cli_password", &after_flag(nth), &[1, 2, 3], command_password)).collect();
    found.extend([
        // An SNMP community on net-snmp's command line (`public` and `private` are defaults).
        d("cli_password", &format!(r"{TOOL_START}{}{VALUE}", tool_flag(SNMP, "", r"-c[ \t]+")), &[1, 2, 3], |_, v| is_community(v)),
        // Oracle's tools' `user/password[@db]` (`sqlplus -s`, `rman target`, `userid=`);
        // `sqlplus / as sysdba` and `/nolog` hold none.
        d(
            "cli_password",
            r#"\b(?:sqlplus|expdp|impdp|sqlldr|dgmgrl|rman)(?:\.exe)?(?:[ \t]+-\w+)*[ \t]+(?:(?:userid|target|auxiliary|catalog)[ \t=]+)?['"]?[A-Za-z_][A-Za-z0-9_$#]*/([^\s@'"/]{4,})"#,
            &[1],
            command_password,
        ),
        // Positional: `wpa_passphrase SSID …`, `rabbitmqctl add_user NAME …` (and
        // `change_password`), Windows' `net user NAME … [/add]` (`*` asks; a switch, `/…`, is
        // not a password), MinIO's `mc alias set NAME URL ACCESS-KEY …` (`config host add`).
        d(
            "cli_password",
            &format!(
                r#"(?:\bwpa_passphrase[ \t]+{WORD}|\brabbitmqctl(?:[ \t]+-\S+)*[ \t]+(?:add_user|change_password)[ \t]+{WORD}|\b(?i:net)[ \t]+(?i:user)[ \t]+{WORD}|\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+\S+)[ \t]+{VALUE}"#
            ),
            &[1, 2, 3],
            command_password,
        ),
        // A password piped to what reads it from its input: `echo '…' | sudo -S`,
        // `| kinit`, `| passwd --stdin USER`, `| docker login --password-stdin`, `| cryptsetup`.
        d(
            "cli_password",
            r#"\becho[ \t]+(?:-n[ \t]+)?(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"|;&$]{4,}))[ \t]*\|[ \t]*(?:sudo[ \t]+-\w*S|sudo[ \t]+--stdin|kinit\b|passwd[ \t]+--stdin|cryptsetup\b|[^\r\n|;&]*--password-stdin)"#,
            &[1, 2, 3],
            command_password,
        ),
        // PowerShell: `ConvertTo-SecureString "…" -AsPlainText` (or `-AsPlainText "…"`), and a
        // cmdlet's `-Password "…"` (`Invoke-Sqlcmd`, `Connect-VIServer`; a secure string or a
        // variable there holds none).
        d(
            "cli_password",
            r#"(?i)ConvertTo-SecureString(?:\s+-String)?\s+(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')\s+-AsPlainText|ConvertTo-SecureString\s+-AsPlainText(?:\s+-Force)?(?:\s+-String)?\s+(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')"#,
            &[1, 2, 3, 4],
            cli_password,
        ),
        d(
            "cli_password",
            r#"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b[^\r\n|;]*?[ \t]-(?i:password|passwd|pwd|plainpassword|clientsecret|apikey|accesstoken|token)[ \t]+(?:'([^'\r\n]+)'|"([^"\r\n]+)")"#,
            &[1, 2],
            command_password,
        ),
        // Windows' `net use [X:] \\server\share PASSWORD [/user:…]` (`*` asks), or after `/user:`.
        d(
            "cli_password",
            &format!(r#"\b(?i:net)[ \t]+(?i:use)\b(?:[ \t]+(?:[A-Za-z]:|\*))?[ \t]+\\\\\S+[ \t]+(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"|;&/][^\s'"|;&]{{3,}}))|\b(?i:net)[ \t]+(?i:use)\b[^\r\n|&]*?[ \t]/(?i:user|u):\S+[ \t]+{VALUE}"#),
            &[1, 2, 3, 4, 5, 6],
            command_password,
        ),
        // The AWS CLI's `aws configure set aws_secret_access_key …` (a profile's too:
        // `profile.ci.aws_session_token`), as CI jobs write the credentials file.
        d(
            "aws_secret_key",
            &format!(r"\baws[ \t]+configure[ \t]+set[ \t]+(?:[\w.\-]+\.)?(aws_secret_access_key|aws_session_token)[ \t]+{VALUE}"),
            &[2, 3, 4],
            |c, v| value_of_name(&c[1], v),
        ),
        // `echo 'user:…' | chpasswd`, the way Dockerfiles set a user's password.
        d(
            "cli_password",
            r#"\b(?:echo|printf)[ \t]+(?:-e[ \t]+)?['"]?[A-Za-z0-9_.\-]+:([^\s'":|]{4,})['"]?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd\b"#,
            &[1],
            command_password,
        ),
    ]);
    found
}

#[cfg(test)]
mod tests {
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn a_password_after_its_tools_flag_is_found() {
        redacts_to(&[
            ("sqlcmd -S db01 -U sa -P 'Sq8kQ2xLm7!' -Q \"select 1\"", "sqlcmd -S db01 -U sa -P '[REDACTED:cli_password]' -Q \"select 1\""),
            (
                "ldapsearch -x -H ldap://ldap01 -D \"cn=admin,dc=example,dc=com\" -w Ld8kQ2xLm7 -b dc=example,dc=com",
                "ldapsearch -x -H ldap://ldap01 -D \"cn=admin,dc=example,dc=com\" -w [REDACTED:cli_password] -b dc=example,dc=com",
            ),
            ("mysqladmin -u root password 'My8kQ2xLm7'", "mysqladmin -u root password '[REDACTED:cli_password]'"),
            ("  command: redis-server --requirepass Rq8kQ2xLm7", "  command: redis-server --requirepass [REDACTED:cli_password]"),
            ("zip -P Zp8kQ2xLm7 backup.zip db.sql", "zip -P [REDACTED:cli_password] backup.zip db.sql"),
            ("7z a -pSz8kQ2xLm7 backup.7z db.sql", "7z a -p[REDACTED:cli_password] backup.7z db.sql"),
            ("gpg --batch --passphrase Gp8kQ2xLm7 -c secrets.tar", "gpg --batch --passphrase [REDACTED:cli_password] -c secrets.tar"),
            (
                "java -jar jenkins-cli.jar -s http://ci01:8080/ -auth admin:11e8f7a2b3c4d5e6f7 build",
                "java -jar jenkins-cli.jar -s http://ci01:8080/ -auth admin:[REDACTED:cli_password] build",
            ),
            (
                "ipmitool -I lanplus -H bmc01 -U admin -P Ip8kQ2xLm7 power status",
                "ipmitool -I lanplus -H bmc01 -U admin -P [REDACTED:cli_password] power status",
            ),
            ("xfreerdp /v:win01 /u:Administrator /p:Xf8kQ2xLm7", "xfreerdp /v:win01 /u:Administrator /p:[REDACTED:cli_password]"),
            ("smbclient //files01/share -U backup%Sm8kQ2xLm7", "smbclient //files01/share -U backup%[REDACTED:cli_password]"),
            ("nmcli dev wifi connect HomeNet password Wf8kQ2xLm7", "nmcli dev wifi connect HomeNet password [REDACTED:cli_password]"),
            ("unzip -P Uz8kQ2xLm7 backup.zip", "unzip -P [REDACTED:cli_password] backup.zip"),
            (
                "mongosh \"mongodb://db01\" -u admin -p 'Mo8kQ2xLm7' --authenticationDatabase admin",
                "mongosh \"mongodb://db01\" -u admin -p '[REDACTED:cli_password]' --authenticationDatabase admin",
            ),
            (
                "influx -username admin -password If8kQ2xLm7 -execute 'SHOW DATABASES'",
                "influx -username admin -password [REDACTED:cli_password] -execute 'SHOW DATABASES'",
            ),
            (
                "keytool -genkey -alias app -keystore app.jks -storepass Kt8kQ2xLm7 -keypass Kp8kQ2xLm7",
                "keytool -genkey -alias app -keystore app.jks -storepass [REDACTED:cli_password] -keypass [REDACTED:cli_password]",
            ),
            ("ssh-keygen -t ed25519 -N 'Sk8kQ2xLm7' -f id_deploy", "ssh-keygen -t ed25519 -N '[REDACTED:cli_password]' -f id_deploy"),
            ("jarsigner -keystore my.jks -storepass Js8kQ2xLm7 app.apk upload", "jarsigner -keystore my.jks -storepass [REDACTED:cli_password] app.apk upload"),
            (
                "security create-keychain -p Kc8kQ2xLm7 build.keychain && security unlock-keychain -p \"Kc8kQ2xLm7\" build.keychain",
                "security create-keychain -p [REDACTED:cli_password] build.keychain && security unlock-keychain -p \"[REDACTED:cli_password]\" build.keychain",
            ),
            (
                "security set-key-partition-list -S apple-tool:,apple: -s -k Kc8kQ2xLm7 build.keychain",
                "security set-key-partition-list -S apple-tool:,apple: -s -k [REDACTED:cli_password] build.keychain",
            ),
            (
                "security import dist.p12 -k build.keychain -P Ce8kQ2xLm7 -T /usr/bin/codesign",
                "security import dist.p12 -k build.keychain -P [REDACTED:cli_password] -T /usr/bin/codesign",
            ),
            (
                "xcrun altool --upload-app -f app.ipa -u me@example.org -p qwhx-zrbn-mtkp-vyld",
                "xcrun altool --upload-app -f app.ipa -u me@example.org -p [REDACTED:cli_password]",
            ),
            (
                "openssl enc -aes-256-cbc -salt -in db.sql -out db.enc -k Os8kQ2xLm7",
                "openssl enc -aes-256-cbc -salt -in db.sql -out db.enc -k [REDACTED:cli_password]",
            ),
            (
                "openssl aes-128-cbc -K 3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e -iv 0a1b2c3d4e5f6071 -in f",
                "openssl aes-128-cbc -K [REDACTED:cli_password] -iv 0a1b2c3d4e5f6071 -in f",
            ),
            ("plink.exe -ssh -pw Pl8kQ2xLm7 deploy@web01", "plink.exe -ssh -pw [REDACTED:cli_password] deploy@web01"),
            ("mosquitto_pub -h broker -u dev -P Mq8kQ2xLm7 -t x -m y", "mosquitto_pub -h broker -u dev -P [REDACTED:cli_password] -t x -m y"),
            ("snmpwalk -v2c -c Sn8kQ2xLm7 sw01", "snmpwalk -v2c -c [REDACTED:cli_password] sw01"),
            (
                "snmpget -v3 -l authPriv -u ops -a SHA -A Au8kQ2xLm7 -x AES -X Pr8kQ2xLm7 h sysName.0",
                "snmpget -v3 -l authPriv -u ops -a SHA -A [REDACTED:cli_password] -x AES -X [REDACTED:cli_password] h sysName.0",
            ),
        ]);
    }

    #[test]
    fn a_password_in_a_commands_position_is_found() {
        redacts_to(&[
            ("sqlplus system/Or8kQ2xLm7@ORCL", "sqlplus system/[REDACTED:cli_password]@ORCL"),
            ("expdp system/Ex8kQ2xLm7@db01/ORCLPDB schemas=hr", "expdp system/[REDACTED:cli_password]@db01/ORCLPDB schemas=hr"),
            ("rman target sys/Rm8kQ2xLm7@prod", "rman target sys/[REDACTED:cli_password]@prod"),
            ("wpa_passphrase HomeNet Wp8kQ2xLm7", "wpa_passphrase HomeNet [REDACTED:cli_password]"),
            ("rabbitmqctl change_password guest Rc8kQ2xLm7", "rabbitmqctl change_password guest [REDACTED:cli_password]"),
            ("RUN rabbitmqctl add_user ops 'Rb8k Q2xLm7'", "RUN rabbitmqctl add_user ops '[REDACTED:cli_password]'"),
            ("net user Administrator Pw9kQ2xLm7! /add", "net user Administrator [REDACTED:cli_password] /add"),
            (
                "mc alias set prod https://s3.example.com AKXQ2MLP9VZ3NW8RT5YU Zr8kQ2xLm7vN3pW5tY0uI2oE4aS6dF8gH0jK2lZ4",
                "mc alias set prod https://s3.example.com AKXQ2MLP9VZ3NW8RT5YU [REDACTED:cli_password]",
            ),
            ("echo 'Yx7kQ2mLp9' | sudo -S apt-get update", "echo '[REDACTED:cli_password]' | sudo -S apt-get update"),
            ("echo Kn8kQ2xLm7 | kinit svc@EXAMPLE.COM", "echo [REDACTED:cli_password] | kinit svc@EXAMPLE.COM"),
            ("echo \"Dk8kQ2xLm7\" | docker login -u ci --password-stdin", "echo \"[REDACTED:cli_password]\" | docker login -u ci --password-stdin"),
            ("RUN echo 'deploy:Dp8kQ2xLm7' | chpasswd", "RUN echo 'deploy:[REDACTED:cli_password]' | chpasswd"),
            ("echo \"root:Rt9kQ2xLm7\" | sudo chpasswd", "echo \"root:[REDACTED:cli_password]\" | sudo chpasswd"),
            // PowerShell and Windows' shares.
            (
                "$pw = ConvertTo-SecureString -String 'Cs8kQ2xLm7' -AsPlainText -Force",
                "$pw = ConvertTo-SecureString -String '[REDACTED:cli_password]' -AsPlainText -Force",
            ),
            (
                "Set-ADAccountPassword jdoe -NewPassword (ConvertTo-SecureString -AsPlainText \"Np8kQ2xLm7\" -Force) -Reset",
                "Set-ADAccountPassword jdoe -NewPassword (ConvertTo-SecureString -AsPlainText \"[REDACTED:cli_password]\" -Force) -Reset",
            ),
            (
                "Invoke-Sqlcmd -ServerInstance sql01 -Username sa -Password \"Iq8kQ2xLm7\" -Query \"SELECT 1\"",
                "Invoke-Sqlcmd -ServerInstance sql01 -Username sa -Password \"[REDACTED:cli_password]\" -Query \"SELECT 1\"",
            ),
            (r"net use Z: \\files01\share /user:ACME\backup Nu8kQ2xLm7", r"net use Z: \\files01\share /user:ACME\backup [REDACTED:cli_password]"),
            (r"net use \\files01\ipc$ Nv8kQ2xLm7 /user:admin", r"net use \\files01\ipc$ [REDACTED:cli_password] /user:admin"),
            (
                "aws configure set aws_secret_access_key Ak9vLm2QwZx8Kp3TqW4eR5tY6uI7oP8aS9dF0gH1",
                "aws configure set aws_secret_access_key [REDACTED:aws_secret_key]",
            ),
        ]);
    }

    #[test]
    fn prompts_defaults_variables_and_other_flags_stay() {
        finds_none(
            &["cli_password", "aws_secret_key"],
            &[
                "ldapsearch -x -D cn=admin,dc=example,dc=com -W -b dc=example,dc=com",
                "ldapsearch -x -w secret -b dc=example,dc=com",
                "keytool -list -keystore cacerts -storepass changeit",
                "keytool -importcert -storepass:env STORE_PASS -file ca.pem",
                "keytool -importcert -storepass \"$STORE_PASS\" -file ca.pem",
                "gpg --batch --passphrase-fd 0 -c secrets.tar",
                "gpg --passphrase-file key.txt -d a.gpg",
                "ssh-keygen -t ed25519 -N '' -f id_deploy",
                "ssh-keygen -t rsa -b 4096 -N \"\" -C ci@example.com",
                "sqlplus / as sysdba",
                "sqlplus /nolog @setup.sql",
                "sqlplus scott/tiger@orcl",
                "sqlplus -s \"$DB_USER/$DB_PASS@$DB\"",
                "7z a -p backup.7z db.sql",
                "7z x -o/tmp/out archive.7z",
                "zip -r -q site.zip public/",
                "snmpwalk -v2c -c public 10.1.1.1",
                "snmpwalk -v2c -c \"$COMMUNITY\" 10.1.1.1",
                "net user administrator /active:yes",
                "net user jdoe * /add",
                "net user %USERNAME% /domain",
                "rabbitmqctl add_user guest guest",
                "echo \"$SUDO_PASS\" | sudo -S true",
                "echo $TOKEN | docker login -u ci --password-stdin ghcr.io",
                "echo \"root:${ROOT_PASSWORD}\" | chpasswd",
                "echo 'deploy:$6$rounds=5000$abc$def' | chpasswd -e",
                "mongod --port 27017 --dbpath /data -p 1234",
                "mongodump --host db01 -u admin -p --out /backup",
                "redis-server /etc/redis/redis.conf --port 6380",
                "wpa_passphrase HomeNet < psk.txt",
                "mc alias set local http://localhost:9000 minioadmin minioadmin",
                "sqlcmd -S db01 -E -Q \"select 1\"",
                "psexec \\\\web01 -u admin -p -i cmd",
                "zip -P password secret.zip notes.txt",
                // MinIO's public playground's keys, published for everyone.
                "mc alias set play https://play.min.io Q3AM3UQ867SPQQA43P2F zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG",
                "New-LocalUser jdoe -Password $securePassword -FullName \"Jane Doe\"",
                "Connect-VIServer -Server vc01 -User ops -Password (Read-Host -AsSecureString)",
                "$pw = ConvertTo-SecureString $env:SA_PASSWORD -AsPlainText -Force",
                r"net use Z: \\files01\share /persistent:no",
                r"net use * \\files01\share * /user:bob",
                "aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY",
                "aws configure set region eu-west-1",
                "security unlock-keychain -p \"$KEYCHAIN_PASSWORD\" build.keychain",
                "security find-identity -p codesigning -v",
                "xcrun notarytool submit app.zip --keychain-profile AC_PASSWORD --wait",
                "xcrun altool --upload-app -f app.ipa -u me@example.org -p @keychain:AC_PASSWORD",
                "openssl enc -aes-256-cbc -in db.sql -out db.enc -kfile key.txt",
                "openssl enc -aes-256-cbc -d -in db.enc -k $BACKUP_KEY",
                // Group Policy Preferences' key, published by Microsoft.
                "openssl enc -d -aes-256-cbc -K 4e9906e8fcb66cc9faf49310620ffee8f496e806cc057990209b09a433b66c1b -iv 0",
            ],
        );
    }
}
