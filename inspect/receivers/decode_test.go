package receivers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/headercheck/headercheck/inspect/receivers"
)

// unfold does what the message loader does to a folded value.
func unfold(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", "", "\n", "").Replace(s))
}

// decodeOne decodes a single header placed above a trust boundary.
func decodeOne(t *testing.T, name, folded string) (receivers.Header, bool) {
	t.Helper()
	in := receivers.Input{Boundary: 1, Fields: []receivers.Field{
		{Name: name, Value: unfold(folded), Raw: folded, Pos: 0},
		{Name: "Received", Value: "from a.example by mx.example.net with ESMTP", Pos: 1},
	}}
	hs := receivers.Decode(in)
	if len(hs) == 0 {
		return receivers.Header{}, false
	}
	if len(hs) != 1 {
		t.Fatalf("Decode gave %d headers for one", len(hs))
	}
	return hs[0], true
}

// The values below are real headers from public sources, as noted:
//   - blaze006: test/006.mail of github.com/dinosaure/blaze (MIT), a
//     linux-kernel list post from arm.com through Microsoft 365, 2024.
//   - ricoms: README.md of github.com/ricoms/viruses, the headers of a
//     phishing message received by Hotmail / Exchange Online, 2017.
//   - msdocs: Microsoft's documentation (MicrosoftDocs/microsoft-365-docs,
//     CC BY 4.0): "Anti-spam message headers" and "Anti-spoofing protection".
//   - blaze004: test/004.mail of github.com/dinosaure/blaze, Gmail, 2018.
//   - lkml: messages of the public linux-kernel, linux-arm-kernel, git,
//     stable and dm-devel list archives (lore.kernel.org, infradead.org,
//     gmane), as found in public repositories.
var decodeCases = []struct {
	name, header, value string
	vendor, summary     string
	fields              map[string]string
	meaning             map[string]string // key → fragment of the meaning
	absent              bool              // not a receivers' header: left out
}{
	{name: "Forefront, outbound from Microsoft (blaze006)", header: "X-Forefront-Antispam-Report",
		value:   "\n\tCIP:63.35.35.123;CTRY:IE;LANG:en;SCL:1;SRV:;IPV:CAL;SFV:NSPM;H:64aa7808-outbound-1.mta.getcheckrecipient.com;PTR:ec2-63-35-35-123.eu-west-1.compute.amazonaws.com;CAT:NONE;SFS:(13230040)(376014)(82310400026)(1800799024)(35042699022)(36860700013);DIR:OUT;SFP:1101;",
		vendor:  "Microsoft 365",
		summary: "Exchange Online Protection's spam verdict: not spam (SFV:NSPM), SCL 1, connecting IP 63.35.35.123 (IE).",
		fields: map[string]string{"CIP": "63.35.35.123", "CTRY": "IE", "LANG": "en", "SCL": "1", "SRV": "", "IPV": "CAL", "SFV": "NSPM", "CAT": "NONE",
			"H": "64aa7808-outbound-1.mta.getcheckrecipient.com", "PTR": "ec2-63-35-35-123.eu-west-1.compute.amazonaws.com",
			"SFS": "(13230040)(376014)(82310400026)(1800799024)(35042699022)(36860700013)", "DIR": "OUT", "SFP": "1101"},
		meaning: map[string]string{"SCL": "not to be spam", "IPV": "IP Allow List", "SFV": "not spam", "CAT": "no protection category",
			"SFS": "does not document|not described", "SFP": "not described in Microsoft's documentation", "SRV": "none"}},
	{name: "Forefront, spam at Hotmail (ricoms)", header: "X-Forefront-Antispam-Report",
		value:   "EFV:NLI;SFV:SPM;SFS:(28900001);DIR:INB;SFP:;SCL:5;SRVR:SN1NAM01HT199;H:COL004-MC3F19.hotmail.com;FPR:;SPF:None;LANG:pt;",
		vendor:  "Microsoft 365",
		summary: "Exchange Online Protection's spam verdict: spam (SFV:SPM), SCL 5.",
		fields:  map[string]string{"SFV": "SPM", "SCL": "5", "H": "COL004-MC3F19.hotmail.com", "LANG": "pt", "EFV": "NLI"},
		meaning: map[string]string{"SFV": "marked the message as spam", "SCL": "Junk Email", "EFV": "not described"}},
	{name: "Forefront example of Microsoft's documentation (msdocs)", header: "X-Forefront-Antispam-Report",
		value:   "CTRY:;LANG:hr;SCL:1;SRV:;IPV:NLI;SFV:NSPM;PTR:;CAT:NONE;SFTY:;",
		vendor:  "Microsoft 365",
		summary: "Exchange Online Protection's spam verdict: not spam (SFV:NSPM), SCL 1.",
		fields:  map[string]string{"CTRY": "", "LANG": "hr", "IPV": "NLI", "PTR": "", "SFTY": ""},
		meaning: map[string]string{"IPV": "not found on any IP reputation list", "SFTY": "not identified as phishing", "PTR": "none recorded", "CTRY": "none recorded"}},
	{name: "Forefront with spoofing, fields of msdocs", header: "X-Forefront-Antispam-Report",
		value:   "CIP:203.0.113.9;CTRY:NL;SCL:5;SFV:SPM;CAT:SPOOF;SFTY:9.22;",
		vendor:  "Microsoft 365",
		summary: "Exchange Online Protection's spam verdict: spam (SFV:SPM), SCL 5, category SPOOF, safety level 9.22, connecting IP 203.0.113.9 (NL).",
		meaning: map[string]string{"CAT": "spoofing", "SFTY": "cross-domain spoofing"}},
	{name: "Forefront -Untrusted with spaces (lkml)", header: "X-Forefront-Antispam-Report-Untrusted",
		value:   " CIP:255.255.255.255; CTRY:; LANG:en;\n SCL:1; SRV:; IPV:NLI; SFV:NSPM; H:SG2PR04MB3093.apcprd04.prod.outlook.com;\n PTR:; CAT:NONE;",
		vendor:  "Microsoft 365",
		summary: "The sending organization's Microsoft 365 verdict (renamed -Untrusted): not spam (SFV:NSPM), SCL 1, connecting IP 255.255.255.255.",
		fields:  map[string]string{"CIP": "255.255.255.255", "H": "SG2PR04MB3093.apcprd04.prod.outlook.com"},
		meaning: map[string]string{"CIP": "not a real address"}},
	{name: "X-Microsoft-Antispam (blaze006)", header: "X-Microsoft-Antispam",
		value:   "\n\tBCL:0;ARA:13230040|376014|82310400026|1800799024|35042699022|36860700013;",
		vendor:  "Microsoft 365",
		summary: "Microsoft 365: bulk complaint level 0: the message is not from a bulk sender.",
		fields:  map[string]string{"BCL": "0", "ARA": "13230040|376014|82310400026|1800799024|35042699022|36860700013"},
		meaning: map[string]string{"BCL": "not from a bulk sender", "ARA": "not described"}},
	{name: "X-Microsoft-Antispam with PCL (ricoms)", header: "X-Microsoft-Antispam",
		value:   "BCL:0;PCL:0;RULEID:(22001)(8291500097)(8291501071);SRVR:SN1NAM01HT199;",
		vendor:  "Microsoft 365",
		summary: "Microsoft 365: bulk complaint level 0: the message is not from a bulk sender; phishing confidence level 0.",
		fields:  map[string]string{"PCL": "0", "RULEID": "(22001)(8291500097)(8291501071)"},
		meaning: map[string]string{"PCL": "not likely to be phishing"}},
	{name: "X-Microsoft-Antispam, bulk", header: "X-Microsoft-Antispam", value: "BCL:7;",
		vendor: "Microsoft 365", summary: "Microsoft 365: bulk complaint level 7: from a bulk sender that generates a mixed number of complaints."},
	{name: "organization SCL 5 (ricoms)", header: "X-MS-Exchange-Organization-SCL", value: "5",
		vendor: "Microsoft 365", fields: map[string]string{"SCL": "5"},
		summary: "Exchange's spam confidence level for the recipient's organization: 5: spam filtering marked the message as spam; by default it goes to the Junk Email folder (quarantined under the Strict preset policy)."},
	{name: "organization SCL -1 (lkml)", header: "X-MS-Exchange-Organization-SCL", value: "-1",
		vendor: "Microsoft 365", fields: map[string]string{"SCL": "-1"},
		summary: "Exchange's spam confidence level for the recipient's organization: -1: the message skipped spam filtering (a safe sender, a safe recipient, or a server on the IP Allow List); it goes to the Inbox."},
	{name: "organization PCL 2 (ricoms)", header: "X-MS-Exchange-Organization-PCL", value: "2",
		vendor: "Microsoft 365", fields: map[string]string{"PCL": "2"},
		summary: "Exchange's phishing confidence level: 2: the content is not likely to be phishing (a field of older Exchange Online Protection)."},
	{name: "Authentication-Results without authserv-id (ricoms)", header: "Authentication-Results",
		value:   "spf=fail (sender IP is 52.35.228.94)\n smtp.mailfrom=terra.com.br; hotmail.com; dkim=none (message not signed)\n header.d=none;hotmail.com; dmarc=none action=none\n header.from=infoemail.com.br;",
		vendor:  "Microsoft 365",
		summary: "Microsoft 365's authentication results: SPF fail, DKIM none, DMARC none. Microsoft writes no authserv-id, so only the header's position says who wrote it.",
		fields:  map[string]string{"spf": "fail", "smtp.mailfrom": "terra.com.br", "dkim": "none", "header.d": "none", "dmarc": "none", "action": "none", "header.from": "infoemail.com.br"},
		meaning: map[string]string{"spf": "noted: sender IP is 52.35.228.94", "dkim": "not signed", "action": "no DMARC action"}},
	{name: "compauth fail 001 (msdocs)", header: "Authentication-Results",
		value:   "spf=none (sender IP is 10.2.3.4)\n  smtp.mailfrom=fabrikam.com; contoso.com; dkim=none\n  (message not signed) header.d=none; contoso.com; dmarc=none\n  action=none header.from=fabrikam.com; compauth=fail reason=001",
		vendor:  "Microsoft 365",
		summary: "Microsoft 365's authentication results: SPF none, DKIM none, DMARC none, composite authentication fail (reason 001). Microsoft writes no authserv-id, so only the header's position says who wrote it.",
		fields:  map[string]string{"compauth": "fail", "reason": "001"},
		meaning: map[string]string{"compauth": "not authenticated", "reason": "failed implicit authentication"}},
	{name: "compauth pass with an authserv-id", header: "Authentication-Results",
		value:   "contoso.mail.protection.outlook.com; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.org; dkim=pass (signature was verified) header.d=example.org;dmarc=pass action=none header.from=example.org;compauth=pass reason=100",
		vendor:  "Microsoft 365",
		summary: "Microsoft 365's authentication results: SPF pass, DKIM pass, DMARC pass, composite authentication pass (reason 100).",
		meaning: map[string]string{"reason": "passed authentication", "dkim": "signature was verified"}},
	{name: "an ordinary Authentication-Results is not a verdict header", header: "Authentication-Results",
		value: "mx.google.com; dkim=pass header.i=@discoursemail.com", absent: true},
	{name: "Gmail's AAR (blaze004)", header: "ARC-Authentication-Results",
		value:   "i=1; mx.google.com;\n       dkim=pass header.i=@discoursemail.com header.s=sjc2 header.b=VmvuZ8wM;\n       spf=pass (google.com: domain of ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com designates 216.218.240.121 as permitted sender) smtp.mailfrom=ocaml+verp-cdef9eaa098cd788943a4314c682b75a@discoursemail.com;\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=discoursemail.com",
		vendor:  "Gmail",
		summary: "Gmail's ARC record: at i=1, mx.google.com saw DKIM pass, SPF pass, DMARC pass.",
		fields:  map[string]string{"i": "1", "dkim": "pass", "header.s": "sjc2", "header.b": "VmvuZ8wM", "spf": "pass", "dmarc": "pass", "header.from": "discoursemail.com"},
		meaning: map[string]string{"dmarc": "dis= what Gmail did", "spf": "designates 216.218.240.121 as permitted sender"}},
	{name: "Microsoft's AAR (blaze006)", header: "ARC-Authentication-Results",
		value:   "i=2; mx.microsoft.com 1; spf=pass (sender ip is\n 63.35.35.123) smtp.rcpttodomain=vger.kernel.org smtp.mailfrom=arm.com;\n dmarc=pass (p=none sp=none pct=100) action=none header.from=arm.com;\n dkim=pass (signature was verified) header.d=arm.com; arc=pass (0 oda=1 ltdi=1\n spf=[1,1,smtp.mailfrom=arm.com] dkim=[1,1,header.d=arm.com]\n dmarc=[1,1,header.from=arm.com])",
		vendor:  "Microsoft 365",
		summary: "Microsoft 365's ARC record: at i=2, mx.microsoft.com saw SPF pass, DMARC pass, DKIM pass, ARC pass.",
		fields:  map[string]string{"i": "2", "smtp.rcpttodomain": "vger.kernel.org", "arc": "pass"}},
	{name: "another intermediary's AAR is the ARC view's", header: "ARC-Authentication-Results",
		value: "i=1; lists.example.org; dmarc=pass", absent: true},

	{name: "X-Spam-Status (lkml, vger)", header: "X-Spam-Status",
		value:   "No, score=-2.6 required=5.0 tests=BAYES_00,DKIM_SIGNED,\n        DKIM_VALID,RCVD_IN_DNSWL_LOW,SPF_HELO_NONE,SPF_NONE autolearn=ham\n        autolearn_force=no version=3.4.6",
		vendor:  "SpamAssassin",
		summary: "SpamAssassin: not spam, score -2.6 (spam from 5.0); rules BAYES_00, DKIM_SIGNED, DKIM_VALID, RCVD_IN_DNSWL_LOW, SPF_HELO_NONE, SPF_NONE.",
		fields: map[string]string{"spam": "No", "score": "-2.6", "required": "5.0", "tests": "BAYES_00,DKIM_SIGNED,DKIM_VALID,RCVD_IN_DNSWL_LOW,SPF_HELO_NONE,SPF_NONE",
			"autolearn": "ham", "autolearn_force": "no", "version": "3.4.6"},
		meaning: map[string]string{"tests": "BAYES_00: Bayes spam probability is 0 to 1%", "autolearn": "learned from this message as not spam", "spam": "not spam"}},
	{name: "X-Spam-Status, SpamAssassin 4 (lkml, ozlabs)", header: "X-Spam-Status",
		value:   "No, score=-2.6 required=5.0 tests=DKIMWL_WL_HIGH,DKIM_SIGNED,\n\tDKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF,RCVD_IN_DNSWL_MED,SPF_HELO_NONE,\n\tSPF_PASS autolearn=disabled version=4.0.0",
		vendor:  "SpamAssassin",
		summary: "SpamAssassin: not spam, score -2.6 (spam from 5.0); rules DKIMWL_WL_HIGH, DKIM_SIGNED, DKIM_VALID, DKIM_VALID_AU, DKIM_VALID_EF, RCVD_IN_DNSWL_MED, ….",
		fields:  map[string]string{"autolearn": "disabled", "version": "4.0.0"}},
	{name: "X-Spam-Status Yes", header: "X-Spam-Status", value: "Yes, score=7.3 required=5.0 tests=BAYES_99 autolearn=spam version=3.4.6",
		vendor: "SpamAssassin", summary: "SpamAssassin: spam, score 7.3 (spam from 5.0); rules BAYES_99.",
		meaning: map[string]string{"spam": "judged the message spam"}},
	{name: "X-Spam-Score with a bar (lkml, infradead)", header: "X-Spam-Score", value: "-5.2 (-----)",
		vendor: "SpamAssassin", summary: "Spam score -5.2.", fields: map[string]string{"score": "-5.2", "bar": "-----"}},
	{name: "X-Spam-Score of rspamd (lkml, SUSE)", header: "X-Spam-Score", value: "-3.71",
		vendor: "SpamAssassin", summary: "Spam score -3.71.", fields: map[string]string{"score": "-3.71"}},
	{name: "X-Spam-Level (SUSE)", header: "X-Spam-Level", value: "***",
		vendor: "SpamAssassin", summary: "Spam level 3 stars.", fields: map[string]string{"level": "***"}},
	{name: "X-Spam-Flag (SUSE)", header: "X-Spam-Flag", value: "NO", vendor: "SpamAssassin", summary: "Not flagged as spam."},
	{name: "X-Spam-Report table (lkml, infradead)", header: "X-Spam-Report",
		value:   "SpamAssassin version 3.4.4 on bombadil.infradead.org summary:\n Content analysis details:   (-5.2 points)\n pts rule name              description\n ---- ---------------------- --------------------------------------------------\n -5.0 RCVD_IN_DNSWL_HI       RBL: Sender listed at https://www.dnswl.org/,\n high trust [198.145.29.99 listed in list.dnswl.org]\n 0.0 SPF_HELO_NONE          SPF: HELO does not publish an SPF Record\n -0.0 SPF_PASS               SPF: sender matches SPF record\n -0.1 DKIM_VALID_EF          Message has a valid DKIM or DK signature from\n envelope-from domain\n -0.1 DKIM_VALID Message has at least one valid DKIM or DK signature\n 0.1 DKIM_SIGNED            Message has a DKIM or DK signature, not necessarily\n valid\n -0.1 DKIM_VALID_AU          Message has a valid DKIM or DK signature from\n author's domain\n -0.0 DKIMWL_WL_HIGH         DKIMwl.org - Whitelisted High sender",
		vendor:  "SpamAssassin",
		summary: "Spam report, -5.2 points: RCVD_IN_DNSWL_HI -5.0, SPF_HELO_NONE 0.0, SPF_PASS -0.0, DKIM_VALID_EF -0.1, DKIM_VALID -0.1, DKIM_SIGNED 0.1, ….",
		fields:  map[string]string{"points": "-5.2", "RCVD_IN_DNSWL_HI": "-5.0", "DKIM_VALID": "-0.1", "DKIMWL_WL_HIGH": "-0.0"},
		meaning: map[string]string{"RCVD_IN_DNSWL_HI": "RBL: Sender listed at https://www.dnswl.org/, high trust [198.145.29.99 listed in list.dnswl.org] (-5.0 points)",
			"DKIM_VALID_EF": "from envelope-from domain"}},
	{name: "X-Spam-Report list (git, gmane)", header: "X-Spam-Report", value: "ALL_TRUSTED=-1.8, BAYES_99=3.5",
		vendor: "SpamAssassin", summary: "Spam report: ALL_TRUSTED -1.8, BAYES_99 3.5.",
		fields:  map[string]string{"ALL_TRUSTED": "-1.8", "BAYES_99": "3.5"},
		meaning: map[string]string{"BAYES_99": "99 to 100%"}},
	{name: "X-Spam-Checker-Version (lkml)", header: "X-Spam-Checker-Version", value: "SpamAssassin 3.4.6 (2021-04-09) on\n        lindbergh.monkeyblade.net",
		vendor: "SpamAssassin", summary: "Scanned by SpamAssassin 3.4.6 (2021-04-09) on lindbergh.monkeyblade.net.",
		fields: map[string]string{"host": "lindbergh.monkeyblade.net"}},

	{name: "X-Gm-Message-State (lkml)", header: "X-Gm-Message-State",
		value:  "AOJu0Yy5nRW1HCyiyVsGbgmIGCy9s2duMNZ0t/gl7oK9NsPaPT1r2QpD\n\t7fL0o7KYqU+JO/WFmJ7N8YggEJGXjUW85TAUbC8Wet/0NUyHxshSyh5e0YUi1m0=",
		vendor: "Gmail", summary: "Gmail's opaque message state (undocumented; it shows the message passed through Google's servers, nothing more).",
		fields:  map[string]string{"state": "AOJu0Yy5nRW1HCyiyVsGbgmIGCy9s2duMNZ0t/gl7oK9NsPaPT1r2QpD\t7fL0o7KYqU+JO/WFmJ7N8YggEJGXjUW85TAUbC8Wet/0NUyHxshSyh5e0YUi1m0="},
		meaning: map[string]string{"state": "does not document it"}},

	{name: "X-Spamd-Result (lkml, SUSE)", header: "X-Spamd-Result",
		value:   "default: False [-3.71 / 50.00]; BAYES_HAM(-3.00)[100.00%];\n NEURAL_HAM_LONG(-1.00)[-1.000]; MID_RHS_NOT_FQDN(0.50)[];\n HAS_REPLYTO(0.30)[pvorel@suse.cz];\n R_DKIM_ALLOW(-0.20)[suse.cz:s=susede2_rsa,suse.cz:s=susede2_ed25519];\n NEURAL_HAM_SHORT(-0.20)[-1.000]; MIME_GOOD(-0.10)[text/plain];\n MX_GOOD(-0.01)[]; FUZZY_BLOCKED(0.00)[rspamd.com];\n RCPT_COUNT_TWO(0.00)[2];",
		vendor:  "rspamd",
		summary: "rspamd: not spam, score -3.71 of 50.00; weightiest symbols BAYES_HAM -3.00, NEURAL_HAM_LONG -1.00, MID_RHS_NOT_FQDN 0.50, HAS_REPLYTO 0.30.",
		fields:  map[string]string{"default": "False", "score": "-3.71", "required": "50.00", "BAYES_HAM": "-3.00", "R_DKIM_ALLOW": "-0.20", "RCPT_COUNT_TWO": "0.00"},
		meaning: map[string]string{"BAYES_HAM": "options: 100.00%", "R_DKIM_ALLOW": "options: suse.cz:s=susede2_rsa,suse.cz:s=susede2_ed25519", "default": "False means not spam|True means spam"}},
	{name: "X-Spamd-Result with ARC (lkml, lfdr)", header: "X-Spamd-Result",
		value:   "default: False [-0.66 / 15.00];\n\tARC_ALLOW(-1.00)[subspace.kernel.org:s=arc-20240116:i=1];\n\tMID_CONTAINS_FROM(1.00)[];\n\tDMARC_POLICY_ALLOW(-0.50)[gmail.com,none];\n\tR_MISSING_CHARSET(0.50)[];\n\tR_DKIM_ALLOW(-0.20)[gmail.com:s=20251104];\n\tR_SPF_ALLOW(-0.20)[+ip6:2600:3c0a:e001:db::/64:c];\n\tMAILLIST(-0.15)[generic];\n\tMIME_GOOD(-0.10)[text/plain];\n\tHAS_LIST_UNSUB(-0.01)[];\n\tRCVD_TLS_LAST(0.00)[];",
		vendor:  "rspamd",
		summary: "rspamd: not spam, score -0.66 of 15.00; weightiest symbols ARC_ALLOW -1.00, MID_CONTAINS_FROM 1.00, DMARC_POLICY_ALLOW -0.50, R_MISSING_CHARSET 0.50.",
		meaning: map[string]string{"ARC_ALLOW": "the ARC chain validated; options: subspace.kernel.org:s=arc-20240116:i=1", "R_SPF_ALLOW": "options: +ip6:2600:3c0a:e001:db::/64:c"}},
	{name: "X-Rspamd-Action (lkml)", header: "X-Rspamd-Action", value: "no action",
		vendor: "rspamd", summary: "rspamd's action: no action (rspamd let the message through unchanged).", fields: map[string]string{"action": "no action"}},
	{name: "X-Rspamd-Server (lkml)", header: "X-Rspamd-Server", value: "lfdr", vendor: "rspamd", summary: "Scanned by the rspamd server lfdr."},

	{name: "X-Proofpoint-Spam-Details (lkml)", header: "X-Proofpoint-Spam-Details",
		value:   "rule=outbound_notspam policy=outbound score=0 bulkscore=0\n lowpriorityscore=0 impostorscore=0 adultscore=0 mlxscore=0 mlxlogscore=999\n phishscore=0 suspectscore=0 priorityscore=1501 clxscore=1015 spamscore=0\n malwarescore=0 classifier=spam adjust=0 reason=mlx scancount=1\n engine=8.12.0-2210170000 definitions=main-2211030057",
		vendor:  "Proofpoint",
		summary: "Proofpoint: rule outbound_notspam, spamscore 0, phishscore 0, malwarescore 0, impostorscore 0.",
		fields:  map[string]string{"rule": "outbound_notspam", "policy": "outbound", "mlxlogscore": "999", "engine": "8.12.0-2210170000"},
		meaning: map[string]string{"spamscore": "does not publicly document the scale", "mlxlogscore": "not publicly documented", "rule": "classified the message"}},
	{name: "X-Proofpoint-Virus-Version (lkml)", header: "X-Proofpoint-Virus-Version",
		value:   "vendor=baseguard\n engine=ICAP:2.0.205,Aquarius:18.0.895,Hydra:6.0.545,FMLib:17.11.122.1\n definitions=2022-11-02_15,2022-11-02_01,2022-06-22_01",
		vendor:  "Proofpoint",
		summary: "Proofpoint's virus scanner versions; it scanned the message, no verdict is written here.",
		fields:  map[string]string{"vendor": "baseguard", "definitions": "2022-11-02_15,2022-11-02_01,2022-06-22_01"}},

	{name: "X-Mimecast-Spam-Score (lkml)", header: "X-Mimecast-Spam-Score", value: "0", vendor: "Mimecast", summary: "Mimecast spam score 0."},
	{name: "X-Mimecast-Impersonation-Protect (dm-devel)", header: "X-Mimecast-Impersonation-Protect",
		value:   "Policy=CLT - Impersonation Protection\n Definition; Similar Internal Domain=false;\n Similar Monitored External Domain=false; Custom External Domain=false;\n Mimecast External Domain=false; Newly Observed Domain=false;\n Internal User Name=false; Custom Display Name List=false;\n Reply-to Address Mismatch=false; Targeted Threat Dictionary=false;\n Mimecast Threat Dictionary=false; Custom Threat Dictionary=false",
		vendor:  "Mimecast",
		summary: "Mimecast Impersonation Protect: no detector matched.",
		fields:  map[string]string{"Policy": "CLT - Impersonation Protection Definition", "Newly Observed Domain": "false", "Custom Threat Dictionary": "false"},
		meaning: map[string]string{"Internal User Name": "did not match (false): the display name matches a user"}},
	{name: "X-Mimecast-Impersonation-Protect with a hit", header: "X-Mimecast-Impersonation-Protect",
		value:  "Policy=Impersonation Protection Definition;Similar Internal Domain=true;Newly Observed Domain=false;Reply-to Address Mismatch=true",
		vendor: "Mimecast", summary: "Mimecast Impersonation Protect: Similar Internal Domain, Reply-to Address Mismatch matched.",
		meaning: map[string]string{"Similar Internal Domain": "matched: the sender's domain resembles"}},

	{name: "X-Barracuda-Spam-Status (lkml)", header: "X-Barracuda-Spam-Status",
		value:   "No,\n SCORE=-0.92 using global scores of TAG_LEVEL=1000.0\n QUARANTINE_LEVEL=1000.0 KILL_LEVEL=1000.0 tests=FB_GET_MEDS, FB_GET_MEDS_2",
		vendor:  "Barracuda",
		summary: "Barracuda: not spam, score -0.92 (tag at 1000.0, quarantine at 1000.0, block at 1000.0).",
		fields:  map[string]string{"spam": "No", "SCORE": "-0.92", "KILL_LEVEL": "1000.0", "tests": "FB_GET_MEDS,FB_GET_MEDS_2"},
		meaning: map[string]string{"KILL_LEVEL": "blocked"}},
	{name: "X-Barracuda-Spam-Report (lkml)", header: "X-Barracuda-Spam-Report",
		value:   "Code version 3.2, rules version 3.2.3.79617\n Rule breakdown below\n pts rule name              description\n ---- ---------------------- --------------------------------------------------\n 0.00 FB_GET_MEDS            BODY: Looks like trying to sell meds\n 1.10 FB_GET_MEDS_2          Looks like trying to sell meds",
		vendor:  "Barracuda",
		summary: "Spam report: FB_GET_MEDS 0.00, FB_GET_MEDS_2 1.10.",
		meaning: map[string]string{"FB_GET_MEDS_2": "Looks like trying to sell meds (1.10 points)"}},
	{name: "X-Barracuda-Spam-Score (lkml)", header: "X-Barracuda-Spam-Score", value: "-0.92", vendor: "Barracuda", summary: "Barracuda spam score -0.92."},
	{name: "X-Barracuda-Connect (lkml)", header: "X-Barracuda-Connect", value: "localhost[172.20.36.211]", vendor: "Barracuda",
		summary: "The Barracuda gateway was contacted by localhost[172.20.36.211]."},
	{name: "X-Barracuda-Start-Time (lkml)", header: "X-Barracuda-Start-Time", value: "1580212307", vendor: "Barracuda",
		summary: "Barracuda processing started at 1580212307.", meaning: map[string]string{"start-time": "2020-01-28T11:51:47Z"}},
	{name: "X-Barracuda-Bayes (lkml)", header: "X-Barracuda-Bayes", value: "INNOCENT GLOBAL 0.0000 1.0000 -2.0210", vendor: "Barracuda",
		summary: "Barracuda's Bayesian classifier: INNOCENT.", fields: map[string]string{"verdict": "INNOCENT", "probability": "0.0000 1.0000 -2.0210"}},

	{name: "unknown: CRM114 (lkml, infradead)", header: "X-CRM114-Status", value: "GOOD (  11.87  )", vendor: "unknown",
		summary: "A header that looks like a mail filter's verdict, from a filter headercheck does not decode; shown as written.", fields: map[string]string{}},
	{name: "unknown: Kaspersky (Kaspersky's documentation)", header: "X-KLMS-AntiSpam-Status", value: "not_detected", vendor: "unknown",
		summary: "A header that looks like a mail filter's verdict, from a filter headercheck does not decode; shown as written."},
	{name: "not a verdict header", header: "X-Mailer", value: "git-send-email 2.34.1", absent: true},
}

func TestDecode(t *testing.T) {
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			h, ok := decodeOne(t, c.header, c.value)
			if c.absent {
				if ok {
					t.Errorf("Decode(%s) = %+v, want it left out", c.header, h)
				}
				return
			}
			if !ok {
				t.Fatalf("Decode(%s: %q) gave nothing", c.header, c.value)
			}
			if h.Vendor != c.vendor || h.Header != c.header {
				t.Errorf("vendor, header = %q, %q; want %q, %q", h.Vendor, h.Header, c.vendor, c.header)
			}
			if h.Summary != c.summary {
				t.Errorf("Summary\n got %q\nwant %q", h.Summary, c.summary)
			}
			if h.Raw != c.value {
				t.Errorf("Raw = %q, want the value as written", h.Raw)
			}
			for k, v := range c.fields {
				if got, ok := h.Fields[k]; !ok || got != v {
					t.Errorf("Fields[%q] = %q (%v), want %q", k, got, ok, v)
				}
			}
			for k, frag := range c.meaning {
				m := h.Meaning[k]
				found := false
				for _, f := range strings.Split(frag, "|") {
					found = found || strings.Contains(m, f)
				}
				if !found {
					t.Errorf("Meaning[%q] = %q, want it to contain %q", k, m, frag)
				}
			}
			if len(h.Keys) != len(h.Fields) || len(h.Meaning) != len(h.Fields) {
				t.Errorf("%d keys, %d fields, %d meanings", len(h.Keys), len(h.Fields), len(h.Meaning))
			}
			for _, k := range h.Keys {
				if h.Meaning[k] == "" {
					t.Errorf("field %q has no meaning", k)
				}
			}
		})
	}
}

// TestJSONShape: each header marshals as the contract's receivers element
// plus raw, meaning and why.
func TestJSONShape(t *testing.T) {
	h, _ := decodeOne(t, "X-MS-Exchange-Organization-SCL", "5")
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"vendor":"Microsoft 365","header":"X-MS-Exchange-Organization-SCL","trusted":true,"summary":`
	if !strings.HasPrefix(string(b), want) || !strings.Contains(string(b), `"fields":{"SCL":"5"},"raw":"5","meaning":{"SCL":`) {
		t.Errorf("JSON = %s", b)
	}
	if strings.Contains(string(b), `"why"`) {
		t.Errorf("a trusted header has why: %s", b)
	}
	if b, _ := json.Marshal(receivers.Decode(receivers.Input{Boundary: -1})); string(b) != "[]" {
		t.Errorf("no headers = %s, want []", b)
	}
}

// TestRawWholeField: Field.Raw may be the whole field as the loader keeps
// it; the raw value shown is then the value alone, line breaks kept.
func TestRawWholeField(t *testing.T) {
	raw := "X-Spam-Status: No, score=-2.6 required=5.0 tests=BAYES_00,\r\n\tSPF_PASS autolearn=ham version=3.4.6\r\n"
	in := receivers.Input{Boundary: 1, Fields: []receivers.Field{
		{Name: "X-Spam-Status", Value: unfold(raw[len("X-Spam-Status:"):]), Raw: raw, Pos: 0},
		{Name: "Received", Value: "from a by b", Pos: 1},
	}}
	h := receivers.Decode(in)[0]
	if want := "No, score=-2.6 required=5.0 tests=BAYES_00,\r\n\tSPF_PASS autolearn=ham version=3.4.6"; h.Raw != want {
		t.Errorf("Raw = %q, want %q", h.Raw, want)
	}
	if h.Fields["tests"] != "BAYES_00,SPF_PASS" {
		t.Errorf("tests = %q", h.Fields["tests"])
	}
}
