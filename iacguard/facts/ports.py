"""Ports that must not be open to the internet, with their service and transports: port ->
(name, transports). The security group and NACL checks read them (AWS-EC2-001, 301, 302,
AWS-VPC-306) and so do the defense layers of attack paths (iacguard.facts.layers); kept here, in
a module that imports nothing, so both read one table."""
from __future__ import annotations

TCP = ("tcp",)
BOTH = ("tcp", "udp")

ADMIN_PORTS = {22: ("SSH", TCP), 3389: ("RDP", BOTH)}

DATABASE_PORTS = {
    1433: ("SQL Server", TCP), 1521: ("Oracle", TCP), 2483: ("Oracle", TCP), 2484: ("Oracle TLS", TCP),
    3306: ("MySQL/Aurora", TCP), 5432: ("PostgreSQL", TCP), 5439: ("Redshift", TCP),
    5984: ("CouchDB", TCP), 6379: ("Redis", TCP), 7000: ("Cassandra", TCP), 7001: ("Cassandra TLS", TCP),
    8182: ("Neptune", TCP), 9042: ("Cassandra CQL", TCP), 9200: ("Elasticsearch/OpenSearch", TCP),
    9300: ("Elasticsearch transport", TCP), 11211: ("Memcached", BOTH), 27017: ("MongoDB", TCP),
    27018: ("MongoDB", TCP), 27019: ("MongoDB", TCP),
}

REMOTE_PORTS = {
    20: ("FTP data", TCP), 21: ("FTP", TCP), 23: ("Telnet", TCP), 69: ("TFTP", ("udp",)),
    135: ("MS RPC", BOTH), 137: ("NetBIOS name", ("udp",)), 138: ("NetBIOS datagram", ("udp",)),
    139: ("NetBIOS session", TCP), 445: ("SMB", TCP), 512: ("rexec", TCP), 513: ("rlogin", TCP),
    514: ("rsh", TCP), 2375: ("Docker API", TCP), 2376: ("Docker API TLS", TCP), 5800: ("VNC web", TCP),
    5900: ("VNC", TCP), 5901: ("VNC", TCP), 5985: ("WinRM", TCP), 5986: ("WinRM TLS", TCP), 6000: ("X11", TCP),
}
