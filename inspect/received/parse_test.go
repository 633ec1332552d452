package received

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
)

// corpusLine is one real Received field from testdata/received-lines.txt.
type corpusLine struct {
	name   string
	source string
	value  string // unfolded
}

// loadCorpus reads the corpus file and unfolds each value: a line break
// followed by white space is removed, the white space kept (RFC 5322
// §2.2.3).
func loadCorpus(t testing.TB) []corpusLine {
	t.Helper()
	f, err := os.Open("testdata/received-lines.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusLine
	var cur *corpusLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "== "):
			out = append(out, corpusLine{name: strings.TrimPrefix(line, "== ")})
			cur = &out[len(out)-1]
		case cur == nil:
		case line == "":
			cur = nil
		case strings.HasPrefix(line, "# "):
			cur.source += strings.TrimPrefix(line, "# ")
		case line[0] == ' ' || line[0] == '\t':
			cur.value += line
		default:
			cur.value += line
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// want holds every field Parse returns for one corpus line. Anomalies are
// matched by a distinctive part of each sentence, in order; everything
// else must be equal.
type want struct {
	helo, rdns, ip, by, via, with, id, forAddr, time string
	anomalies                                        []string
	envFrom, tls, byIP                               string
	comments                                         []string
	notes                                            int
}

var corpusWant = map[string]want{
	"exchange-https-via": {helo: "BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com", ip: "2a01:111:e400:c418::34",
		by: "SN1PR16MB0494.namprd16.prod.outlook.com", via: "SN1PR15CA0024.NAMPRD15.PROD.OUTLOOK.COM", with: "HTTPS", time: "2018-04-21T03:01:33Z"},
	"exchange-internal-tls": {helo: "BN3NAM04FT003.eop-NAM04.prod.protection.outlook.com", ip: "10.152.92.53",
		by: "BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com", byIP: "10.152.93.134", with: "Microsoft SMTP Server",
		tls: "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384", id: "15.20.696.11", time: "2018-04-21T03:01:32Z"},
	"exchange-frontend": {helo: "vmta6.response.nfcu.org", ip: "199.204.166.217", by: "BN3NAM04FT003.mail.protection.outlook.com",
		byIP: "10.152.92.112", with: "Microsoft SMTP Server", id: "15.20.696.11", via: "Frontend Transport", time: "2018-04-21T03:01:32Z"},
	"powermta-envfrom-after-date": {helo: "localhost", ip: "10.0.22.21", by: "vmta6.response.nfcu.org", id: "hrakoo0lrlgv",
		forAddr: "sgriffin@outlook.com", time: "2018-04-20T21:51:19Z",
		envFrom: "abuse_281D5450C2D61412E888B78BD84CCB3D2E80DB1641131EAF@response.nfcu.org", comments: []string{"PowerMTA(TM) v3.5r17"}},
	"sendgrid-go-date": {by: "filter0652p1las1.sendgrid.net", with: "SMTP", id: "filter0652p1las1-5089-5ADBF958-25",
		time: "2018-04-22T02:54:17.028704749Z", notes: 2},
	"sendgrid-rfc-date-no-semicolon": {helo: "smtp.github.com", rdns: "out-8.smtp.github.com", ip: "192.30.252.199",
		by: "ismtpd0003p1iad2.sendgrid.net", with: "ESMTP", id: "gDQRSEGgSqCsi9tFtF1Vtg", time: "2018-03-26T13:35:36.102Z",
		comments: []string{"SG"}, notes: 1},
	"exchange-mixed-case": {helo: "BN3NAM04HT205.eop-NAM04.prod.protection.outlook.com", ip: "2a01:111:e400:c418::34",
		by: "SN1PR16MB0494.namprd16.prod.outlook.com", via: "SN1PR15CA0024.NAMPRD15.PROD.OUTLOOK.COM", with: "HTTPS", time: "2018-04-21T03:01:33Z"},
	"postfix-local-userid": {by: "example.com", id: "1234ABCD", time: "2014-08-21T10:12:48Z", comments: []string{"Postfix, from userid 1001"}},
	"qmail-invoked":        {time: "2014-08-24T16:13:38Z", comments: []string{"qmail 10876 invoked from network"}},
	"gmail-esmtpsa-nat": {helo: "[10.233.168.165]", ip: "186.2.138.141", by: "smtp.gmail.com", with: "ESMTPSA",
		id: "72-v6sm5966316vko.20.2018.05.21.09.08.52", tls: "version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128",
		time: "2018-05-21T16:08:53Z", anomalies: []string{"introduced itself with the address 10.233.168.165, but it connected from 186.2.138.141"}},
	"gmail-local-handoff": {by: "mail-ua0-f171.google.com", with: "SMTP", id: "g9-v6so10266038uak.7", time: "2018-05-21T16:08:54Z"},
	"qmqp-bare-literal": {helo: "asx121.turbo-inline.com", ip: "7.165.23.113", by: "mx.reskind.net", with: "QMQP",
		time: "2019-02-08T11:56:18Z"},
	"postfix-ipv6-envfrom-after-date": {helo: "server.chat-met-vreemden.nl", rdns: "unknown", ip: "2a01:7c8:aab6:26d:5054:ff:fed1:1da2",
		by: "mx1.freebsd.org", with: "ESMTPS", id: "CF0171862", forAddr: "test@example.com", time: "2015-07-06T09:01:20Z",
		tls: "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)", envFrom: "upwest201diana@outlook.com",
		comments:  []string{"Client did not present a certificate", "Postfix"},
		anomalies: []string{"no reverse DNS name for 2a01:7c8:aab6:26d:5054:ff:fed1:1da2"}},
	"exim-localhost-helo": {helo: "hummus.csx.cam.ac.uk", rdns: "localhost", ip: "127.0.0.1", by: "hummus.csx.cam.ac.uk",
		with: "esmtp", id: "1fZ55o-0006DP-3H", forAddr: "xxx@xxx.xxx", time: "2018-06-30T01:54:28Z",
		envFrom: "exim-dev-bounces@exim.org", comments: []string{"Exim 4.91-pdpfix1"}},
	"exim-ipv6-port": {helo: "mx.spodhuis.org", rdns: "smtp.spodhuis.org", ip: "2a02:898:31:0:48:4558:736d:7470",
		by: "hummus.csx.cam.ac.uk", with: "esmtpsa", tls: "TLSv1.3:TLS_AES_256_GCM_SHA384:256", id: "1fZ55k-0006CO-9M",
		forAddr: "exim-dev@exim.org", envFrom: "xxx@exim.org", comments: []string{"Exim 4.91-pdpfix1+cc"}, time: "2018-06-30T01:54:24Z"},
	"haraka-envfrom-word": {helo: "aaa.cn", ip: "1.1.1.1", by: "localhost.localdomain", with: "ESMTPA",
		id: "349C9C2B-491A-4925-A687-3EF14038C344.1", envFrom: "huxin@xxx.com",
		comments: []string{"Haraka/2.8.18", "authenticated bits=0"}, notes: 1, time: "2018-07-03T12:18:13Z"},
	"spam-software-garbage": {helo: "[192.83.172.101]", ip: "148.251.238.35", by: "guovswzqkvry051@sohu.com", with: "gg login",
		forAddr: "Windows", time: "2018-07-03T12:01:47Z", notes: 1,
		anomalies: []string{`more than one "by" clause`, "introduced itself with the address 192.83.172.101, but it connected from 148.251.238.35"}},
	"exim3-helo": {helo: "host", ip: "61.174.163.26", by: "sc8-sf-list1.sourceforge.net", with: "smtp",
		comments: []string{"Exim 3.31-VA-mm2 #1 (Debian)"}, id: "18t2z0-0001NX-00", forAddr: "razor-users@lists.sourceforge.net",
		time: "2003-03-12T09:57:10Z"},
	"postfix-esmtpsa-helo-loopback": {helo: "[127.0.0.1]", rdns: "unknown", ip: "65.19.167.131",
		tls:      "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
		comments: []string{"Client did not present a certificate", "Postfix"}, by: "mail01.someotherdomain.org", with: "ESMTPSA",
		id: "43tYMW2yKHz50MHS", forAddr: "user2@somedomain.com", time: "2019-02-04T16:39:35Z",
		anomalies: []string{"no reverse DNS name for 65.19.167.131", "introduced itself with the address 127.0.0.1, but it connected from 65.19.167.131"}},
	"qmail-helo-rdns": {helo: "parrot.gentoo.org", rdns: "lists.gentoo.org", ip: "156.56.111.196", by: "blazing.arsecandle.org",
		with: "SMTP", tls: "DHE-RSA-AES256-SHA encrypted", time: "2005-02-06T21:11:37Z"},
	"qmail-ident": {helo: "postfix3-2.free.fr", ip: "213.228.0.129", by: "totor.example.net", with: "SMTP", time: "2003-11-14T08:05:50Z"},
	"sendmail-may-be-forged": {helo: "mx56.pirmateh.us", rdns: "64.119.196.56.rev.iwaynetworks.com", ip: "64.119.196.56",
		by: "mail.core.obfugenedata.com", comments: []string{"8.13.1/8.13.1"}, with: "ESMTP", id: "i8FJcSRZ007847",
		forAddr: "othmar.pfannes@obfugenedata.com", time: "2004-09-15T19:38:31Z", anomalies: []string{`as "may be forged"`}},
	"microsoft-smtpsvc": {helo: "inet-vrs-05.redmond.corp.microsoft.com", ip: "157.54.6.157", by: "INET-IMC-05.redmond.corp.microsoft.com",
		with: "Microsoft SMTPSVC", comments: []string{"5.0.2195.6624"}, time: "2003-03-06T20:02:35Z"},
	"courier-mapped-v4": {helo: "cs.helsinki.fi", ip: "218.11.152.141", by: "mail.cs.helsinki.fi", with: "esmtp", time: "2003-08-18T12:37:48Z"},
	"courier-id-after-date": {helo: "gorkcomputer", rdns: "my.dns.com", ip: "1.2.3.4", by: "mydomain.com", with: "esmtp",
		id: "000000DB.43735815.00001E11", time: "2005-11-10T14:24:21Z",
		comments: []string{"AUTH: LOGIN gork@mydomain.com, SSL: TLSv1/SSLv3,128bits,RC4-MD5"}},
	"courier-auth": {helo: "a1200", ip: "24.83.2.4", by: "bigass1.example.com", with: "esmtp",
		comments: []string{"AUTH: LOGIN mitch@example.com"}, time: "2004-01-06T23:56:09Z"},
	"exim-rdns-helo": {helo: "pendaran.arborius.net", rdns: "dsl092-076-133.bos1.dsl.speakeasy.net", ip: "66.92.76.133",
		by: "sc8-sf-mx1.sourceforge.net", with: "esmtp", tls: "TLSv1:AES256-SHA:256", comments: []string{"Exim 4.41"},
		id: "1CIlfc-0003Pa-8W", forAddr: "xvoice-user@lists.sourceforge.net", time: "2004-10-16T10:20:18Z"},
	"qmail-ldap-by-address": {helo: "[81.64.159.45]", rdns: "unknown", ip: "81.64.159.45", by: "212.198.2.120",
		comments: []string{"qmail-ldap-1.03"}, envFrom: "xyz@example.org", with: "SMTP", forAddr: "zyx@somewhere.net",
		time: "2003-11-28T20:44:45Z", anomalies: []string{"no reverse DNS name for 81.64.159.45"}},
	"two-digit-year": {helo: "blackstar", ip: "212.202.243.194", by: "SpamControl_operated_by_INetSiteWorld",
		time: "2004-03-08T12:23:56Z", notes: 1},
	"qmail-helo-question": {helo: "?192.168.23.32?", rdns: "83-70-48-2.bas2.dbn.dublin.eircom.net", ip: "83.70.48.2",
		by: "mail00.svc.cra.dublin.eircom.net", comments: []string{"qp 87263"}, with: "SMTP", time: "2004-03-08T23:59:05Z",
		anomalies: []string{"introduced itself with the address 192.168.23.32, but it connected from 83.70.48.2"}},
	"asctime-no-zone": {helo: "TCE-E-7-182-54.bta.net.cn", ip: "202.106.182.54", via: "SMTP", by: "st.tahina.priv.at",
		id: "smtpdEDUB8h", anomalies: []string{`the date "Sun Nov 13 14:50:12 2005" could not be read (it is in the C asctime form`}},
	"sendmail-zone-glued": {helo: "[10.10.10.215]", rdns: "Collation_Software.demarc.cogentco.com", ip: "66.250.6.18",
		comments: []string{"authenticated bits=0", "8.12.3/8.12.3/Debian-6.6"}, by: "waste.org", with: "ESMTP",
		id: "i46MehGO005108", forAddr: "fork@xent.com", time: "2004-05-06T22:40:44Z",
		anomalies: []string{"introduced itself with the address 10.10.10.215, but it connected from 66.250.6.18"}},
	"upper-case-keywords": {helo: "hackers.mr.itd.umich.edu", rdns: "smtp.mail.umich.edu", ip: "141.211.14.81",
		by: "madman.mr.itd.umich.edu", id: "434B508E.174A6.13932", time: "2005-10-11T05:41:34Z"},
	"postfix-ipv6-literal-envfrom": {helo: "rc3.isc.org", rdns: "rc3.isc.org", ip: "2001:4f8:3:bb::25",
		tls: "TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)", comments: []string{"No client certificate requested", "Postfix"},
		by: "sf1.isc.org", with: "ESMTP", id: "C986F284EE", forAddr: "jm@jmason.org", envFrom: "bind-users-bounce@isc.org",
		time: "2004-10-16T21:30:02Z"},
	"communigate-account-helo": {helo: "[10.10.10.10]", ip: "128.114.2.223", by: "silver.ucsc.edu",
		comments: []string{"CommuniGate Pro SMTP 4.3.7"}, with: "ESMTPSA", id: "88402416", forAddr: "user@example.edu",
		time: "2006-12-04T21:15:07Z", anomalies: []string{"introduced itself with the address 10.10.10.10, but it connected from 128.114.2.223"}},
	"qmail-empty-helo": {rdns: "mx10.topofferz.net", ip: "69.6.60.10", by: "blazing.fooooo.org", with: "SMTP", time: "2004-03-03T20:34:38Z"},
	"qmail-double-at": {helo: "?151.80.38.67?", rdns: "unknown", ip: "151.80.38.67", by: "mail.it-connect.it", with: "SMTP",
		time: "2013-01-28T20:50:51Z", anomalies: []string{"no reverse DNS name for 151.80.38.67"}},
	"gmx-ehlo-bare-literal": {helo: "user588a01834c", rdns: "stgt-5f70f8a3.pool.mediaWays.net", ip: "95.112.248.163",
		by: "mail.gmx.net", comments: []string{"mp033"}, with: "SMTP", time: "2012-11-23T18:06:20Z"},
	"lfdr-postfix-ipv6": {helo: "gabe.freedesktop.org", rdns: "gabe.freedesktop.org", ip: "2610:10:20:722:a800:ff:fe36:1795",
		by: "mail.lfdr.de", comments: []string{"Postfix"}, with: "ESMTPS", id: "7848F1AB905", forAddr: "lists+dri-devel@lfdr.de",
		time: "2020-04-16T07:00:14Z"},
	"messagelabs-qmail": {helo: "lenovo.com", rdns: "unknown", ip: "103.30.234.5", by: "server-8.tower-406.messagelabs.com",
		with: "ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP", time: "2020-04-15T21:51:22Z",
		anomalies: []string{"no reverse DNS name for 103.30.234.5"}},
	"symantec-no-tcpinfo": {helo: "[100.112.5.244]", tls: "TLSv1.2 with cipher DHE-RSA-AES256-GCM-SHA384 (256 bits)",
		by: "server-4.bemta.az-c.us-east-1.aws.symcld.net", id: "E8/BA-23081-AD1879E5", time: "2020-04-15T21:51:22Z"},
	"forcepoint-two-word-by": {helo: "HKGWPEMAIL04.lenovo.com", rdns: "unknown", ip: "10.128.3.72",
		tls: "TLSv1.2 with cipher AES256-GCM-SHA384 (256/256 bits)", comments: []string{"No client certificate requested"},
		by: "Forcepoint", with: "ESMTPS", id: "6A36FB0FC75E105D7876", time: "2020-04-15T21:51:19Z", notes: 1,
		anomalies: []string{"no reverse DNS name for 10.128.3.72"}},
	"exchange-onprem-self": {helo: "HKGWPEMAIL04.lenovo.com", ip: "10.128.3.72", by: "HKGWPEMAIL04.lenovo.com", byIP: "10.128.3.72",
		with: "Microsoft SMTP Server", tls: "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", id: "15.1.1779.2",
		time: "2020-04-15T21:51:41Z"},
	"exchange-onprem-frontend": {helo: "HKEXEDGE01.lenovo.com", ip: "10.128.62.71", by: "HKGWPEMAIL04.lenovo.com", byIP: "10.128.3.72",
		with: "Microsoft SMTP Server", tls: "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", id: "15.1.1779.2",
		via: "Frontend Transport", time: "2020-04-15T21:51:41Z"},
	"exchange-mapi": {helo: "SG2PR03MB3324.apcprd03.prod.outlook.com", ip: "fe80::3417:bbb:2260:50f6",
		by: "SG2PR03MB3324.apcprd03.prod.outlook.com", byIP: "fe80::3417:bbb:2260:50f6%4", with: "mapi", id: "15.20.2921.024",
		time: "2020-04-15T21:51:17Z"},
	"zmailer-vger": {helo: "mail.siol.net", rdns: "mailoutvs17.siol.net", ip: "185.57.226.208", by: "vger.kernel.org",
		with: "ESMTP", id: "S1727489AbfGMMEA", comments: []string{"ORCPT <rfc822;linux-kernel@vger.kernel.org>"},
		time: "2019-07-13T12:04:00Z"},
	"vger-listexpand": {by: "vger.kernel.org", via: "listexpand", id: "S1727730AbfGMMEA",
		comments: []string{"majordomo@vger.kernel.org", "ORCPT <rfc822;lists+linux-kernel@lfdr.de>"}, time: "2019-07-13T12:04:00Z"},
	"zimbra-amavis": {helo: "mail.siol.net", ip: "127.0.0.1", by: "localhost", byIP: "127.0.0.1",
		comments: []string{"amavisd-new, port 10032"}, with: "ESMTP", id: "GZJ1_W8SsO1t", time: "2019-07-13T12:03:56Z"},
	"zimbra-esmtpsa": {helo: "localhost.localdomain", rdns: "cpe-194-152-11-237.cable.triera.net", ip: "194.152.11.237",
		comments: []string{"Authenticated sender: 031275009", "Zimbra"}, by: "mail.siol.net", with: "ESMTPSA",
		id: "AB370520796", time: "2019-07-13T12:03:52Z"},
	"sendgrid-go-date-monotonic": {by: "filter2362p1mdw1.sendgrid.net", with: "SMTP", id: "filter2362p1mdw1-8261-60CB5FFC-1A",
		time: "2021-06-17T14:45:16.810326635Z", notes: 2},
	"sendgrid-http-unknown": {helo: "MTc0MzAzNDc", rdns: "unknown", by: "geopod-ismtpd-5-0", comments: []string{"SG"},
		with: "HTTP", id: "6XoXI4nwQFOyzQHRSAtPnQ", time: "2021-06-17T14:45:16.434Z", notes: 1,
		anomalies: []string{"no reverse DNS name for the client"}},
	"ozlabs-localhost-ipv6": {helo: "boromir.ozlabs.org", rdns: "localhost", ip: "::1", by: "lists.ozlabs.org",
		comments: []string{"Postfix"}, with: "ESMTP", id: "4G5SNK2yCwz3bsw", forAddr: "lists+linux-erofs@lfdr.de",
		time: "2021-06-17T16:35:45Z"},
	"gmail-ipv6-question": {helo: "?IPV6:2001:14ba:a0db:1f00::8a5?", rdns: "dzdqv0yyyyyyyyyyybcwt-3.rev.dnainternet.fi.",
		ip: "2001:14ba:a0db:1f00::8a5", by: "smtp.gmail.com", with: "ESMTPSA",
		id:  "h4-20020a05651211c400b004edc2a023ffsm146075lfr.36.2023.05.08.17.47.50",
		tls: "version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128", time: "2023-05-09T00:47:50Z"},
	"gmail-mapped-question": {helo: "?IPv6:::ffff:192.168.0.201?", ip: "103.44.119.91", by: "smtp.gmail.com", with: "ESMTPSA",
		id: "x6sm3946317pfd.53.2019.09.26.02.25.25", forAddr: "openwrt-devel@lists.openwrt.org",
		tls: "version=TLS1_2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128", time: "2019-09-26T09:25:26Z",
		anomalies: []string{"introduced itself with the address 192.168.0.201, but it connected from 103.44.119.91"}},
	"exim497-local": {helo: "hch", by: "bombadil.infradead.org", with: "local", comments: []string{"Exim 4.97.1 #2 (Red Hat Linux)"},
		id: "1sN5CK-0000000CmIb-1BG1", time: "2024-06-28T06:35:04Z"},
	"exim497-no-from": {by: "sipsolutions.net", with: "esmtpsa", tls: "TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256",
		comments: []string{"Exim 4.97"}, envFrom: "johannes@sipsolutions.net", id: "1ryB1W-0000000FlNp-2029", time: "2024-04-20T13:44:58Z"},
	"yahoo-http": {helo: "sonic.gate.mail.ne1.yahoo.com", by: "sonic315.consmr.mail.ne1.yahoo.com", with: "HTTP", time: "2023-11-07T17:44:33Z"},
	"yahoo-hermes": {by: "hermes--production-ne1-56df75844-jh4w4", comments: []string{"Yahoo Inc. Hermes SMTP Server"},
		with: "ESMTPA", id: "75cf044ccb9b85620acbca5fc76be827", time: "2023-11-07T17:44:28Z"},
	"amazon-ses-to-gmail": {helo: "a9-92.smtp-out.amazonses.com", rdns: "a9-92.smtp-out.amazonses.com.", ip: "54.240.9.92",
		by: "mx.google.com", with: "ESMTPS", id: "s129-v6si3395022ywb.183.2018.05.21.06.37.15", forAddr: "linux-mm@kvack.org",
		tls: "version=TLS1_2 cipher=ECDHE-RSA-AES128-SHA bits=128/128", time: "2018-05-21T13:37:15Z"},
	"gmail-ipv6-by-http": {by: "2002:a05:6214:2f8a:b0:4bb:6e86:8303", with: "HTTP", time: "2022-11-08T12:25:52Z"},
	"gmail-smtps": {helo: "mail-sor-f65.google.com", rdns: "mail-sor-f65.google.com.", ip: "209.85.220.65",
		by: "mx.google.com", with: "SMTPS", id: "p126sor32640018qkd.106.2019.01.08.05.19.09", forAddr: "linux-mm@kvack.org",
		comments: []string{"Google Transport Security"}, time: "2019-01-08T13:19:09Z"},
	"squirrelmail-semicolon": {helo: "193.176.211.156", comments: []string{"SquirrelMail authenticated user tmcgee"},
		by: "mail.southampton.k12.va.us", with: "HTTP", time: "2022-06-15T02:21:59Z"},
}

// TestParseCorpus checks every field of every real Received line.
func TestParseCorpus(t *testing.T) {
	lines := loadCorpus(t)
	if len(lines) < 40 {
		t.Fatalf("corpus has %d lines, want at least 40", len(lines))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		t.Run(l.name, func(t *testing.T) {
			if l.source == "" {
				t.Errorf("%s has no source", l.name)
			}
			w, ok := corpusWant[l.name]
			if !ok {
				t.Fatalf("no expectation for %s", l.name)
			}
			seen[l.name] = true
			got := Parse(l.value)
			checkHop(t, l.value, got, w)
		})
	}
	for name := range corpusWant {
		if !seen[name] {
			t.Errorf("expectation %s has no line in the corpus", name)
		}
	}
}

func checkHop(t *testing.T, in string, got Hop, w want) {
	t.Helper()
	fields := []struct{ name, got, want string }{
		{"from_helo", got.FromHELO, w.helo},
		{"from_rdns", got.FromRDNS, w.rdns},
		{"from_ip", got.FromIP, w.ip},
		{"by", got.By, w.by},
		{"via", got.Via, w.via},
		{"with", got.With, w.with},
		{"id", got.ID, w.id},
		{"for", got.For, w.forAddr},
		{"time", got.Time, w.time},
		{"raw", got.Raw, in},
		{"envelope_from", got.EnvelopeFrom, w.envFrom},
		{"tls", got.TLS, w.tls},
		{"by_ip", got.ByIP, w.byIP},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("Parse(%q).%s = %q, want %q", clip(in, 60), f.name, f.got, f.want)
		}
	}
	if got.DelaySeconds != nil {
		t.Errorf("Parse(%q).delay_seconds = %v, want null for a single header", clip(in, 60), *got.DelaySeconds)
	}
	if !reflect.DeepEqual(got.Comments, w.comments) {
		t.Errorf("Parse(%q).comments = %q, want %q", clip(in, 60), got.Comments, w.comments)
	}
	if len(got.Notes) != w.notes {
		t.Errorf("Parse(%q).notes = %q, want %d notes", clip(in, 60), got.Notes, w.notes)
	}
	if len(got.Anomalies) != len(w.anomalies) {
		t.Errorf("Parse(%q).anomalies = %q, want %d matching %q", clip(in, 60), got.Anomalies, len(w.anomalies), w.anomalies)
		return
	}
	for i, sub := range w.anomalies {
		if !strings.Contains(got.Anomalies[i], sub) {
			t.Errorf("Parse(%q).anomalies[%d] = %q, want it to contain %q", clip(in, 60), i, got.Anomalies[i], sub)
		}
	}
	if (got.Time == "") != got.At.IsZero() {
		t.Errorf("Parse(%q): time %q but At %v", clip(in, 60), got.Time, got.At)
	}
	if (got.FromIP == "") == got.Addr.IsValid() {
		t.Errorf("Parse(%q): from_ip %q but Addr %v", clip(in, 60), got.FromIP, got.Addr)
	}
}
