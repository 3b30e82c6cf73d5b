// The REST drivers' XML building and parsing, and the dialects' readers of what the switches send back.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SwitchError } from '../../drivers/switch/errors.js';
import { cliInput, cliRefusal, parseSwitchport, splitByName } from '../../drivers/switch/rest/dialects/dellnos9.js';
import { parseRestAddress } from '../../drivers/switch/rest/rest-driver.js';
import { child, el, errorMessageOf, escapeXml, parseXml, textAt } from '../../drivers/switch/rest/xml.js';

describe('building XML', () => {
  test('values are escaped: a value cannot add an element', () => {
    assert.equal(el('vlan', el('add', '101-103')).xml, '<vlan><add>101-103</add></vlan>');
    assert.equal(el('name', '1/0/1</name><shutdown>').xml, '<name>1/0/1&lt;/name&gt;&lt;shutdown&gt;</name>');
    assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    assert.equal(el('switchport', '').xml, '<switchport></switchport>');
    assert.throws(() => el('bad name', 'x'));
    assert.throws(() => el('a><b', 'x'));
  });

  test('a CLI-over-REST body keeps its lines and escapes the rest', () => {
    assert.equal(
      cliInput('config-commands', 'interface vlan 10\r\nuntagged TenGigabitEthernet 1/1'),
      '<input><config-commands>interface vlan 10\r\nuntagged TenGigabitEthernet 1/1</config-commands></input>',
    );
    assert.equal(cliInput('show-command', 'a<b'), '<input><show-command>a&lt;b</show-command></input>');
  });
});

describe('parsing XML', () => {
  test('elements, attributes, namespaces by local name, entities, CDATA, comments', () => {
    const x = parseXml(
      `<?xml version="1.0"?>\n<!-- a reply -->\n<TenGigabitEthernet xmlns="urn:brocade.com:mgmt:brocade-interface" xmlns:y="http://brocade.com/ns/rest" y:self="/rest/x">
        <name>1/0/1</name><shutdown>true</shutdown><y:link href='a&amp;b'/>
        <trunk><allowed><vlan><add>10,20-22</add></vlan></allowed><native-vlan>5</native-vlan></trunk>
        <description>&lt;uplink&gt; &#65;&#x42;<![CDATA[<raw>&]]></description>
      </TenGigabitEthernet>`,
    );
    assert.equal(x.local, 'TenGigabitEthernet');
    assert.equal(x.attributes['y:self'], '/rest/x');
    assert.equal(textAt(x, 'name'), '1/0/1');
    assert.equal(textAt(x, 'trunk', 'allowed', 'vlan', 'add'), '10,20-22');
    assert.equal(textAt(x, 'trunk', 'native-vlan'), '5');
    assert.equal(child(x, 'link')?.attributes.href, 'a&b');
    assert.equal(textAt(x, 'description'), '<uplink> AB<raw>&');
    assert.equal(textAt(x, 'nothing'), undefined);
  });

  test('malformed documents are refused, never half read', () => {
    for (const bad of [
      '',
      '<a>',
      '<a></b>',
      '<a><b></a></b>',
      '<a/><b/>',
      'text<a/>',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      '<a x=1/>',
      '<a><![CDATA[x</a>',
    ]) {
      assert.throws(() => parseXml(bad), Error, JSON.stringify(bad));
    }
  });

  test("the switch's own words from an error body", () => {
    assert.equal(
      errorMessageOf(
        `<errors xmlns="http://brocade.com/ns/rest"><error><error-type>application</error-type><error-tag>invalid-value</error-tag><error-message>%Error: VLAN 10 does not exist</error-message></error></errors>`,
      ),
      '%Error: VLAN 10 does not exist',
    );
    assert.equal(
      errorMessageOf(
        `<errors xmlns="http://tail-f.com/ns/tailf-rest-error"><error><error-tag>operation-failed</error-tag><error-message>% Error: a</error-message></error><error><error-message>b</error-message></error></errors>`,
      ),
      '% Error: a; b',
    );
    assert.equal(errorMessageOf('<html><body><h1>502 Bad Gateway</h1></body></html>'), '502 Bad Gateway');
    assert.equal(errorMessageOf('not xml < at all'), 'not xml < at all');
    assert.equal(errorMessageOf('  '), undefined);
  });
});

describe('dellnos9 replies', () => {
  const show = (rows: string) =>
    [
      'show interfaces switchport TenGigabitEthernet 1/3',
      '',
      'Codes:  U - Untagged, T - Tagged',
      '        x - Dot1x untagged, X - Dot1x tagged',
      '',
      'Name: TenGigabitEthernet 1/3',
      '802.1QTagged: Hybrid',
      'Vlan membership:',
      'Q       Vlans',
      rows,
      '',
      'Native VlanId:     1512.',
      '',
      'S3048-ON#',
    ].join('\n');

  test('show interfaces switchport: untagged and tagged rows, lists, ranges and continuation rows', () => {
    assert.deepEqual(parseSwitchport(show('U       1512\nT       1511,1612-1614,1700')), {
      untagged: [1512],
      tagged: [1511, 1612, 1613, 1614, 1700],
    });
    assert.deepEqual(parseSwitchport(show('U       1512\nT       1511 1612-1613\n        1700,1701')), {
      untagged: [1512],
      tagged: [1511, 1612, 1613, 1700, 1701],
    });
    assert.deepEqual(parseSwitchport(show('')), { untagged: [], tagged: [] });
    assert.equal(parseSwitchport(show('T       5000')), undefined);
  });

  test('show interfaces switchport of every port: one block per Name', () => {
    const text = [
      'Codes:  U - Untagged, T - Tagged',
      '',
      'Name: TenGigabitEthernet 1/1',
      'Vlan membership:',
      'Q       Vlans',
      'U       10',
      '',
      'Name:  TenGigabitEthernet   1/2',
      'Vlan membership:',
      'Q       Vlans',
      'U       11',
      'T       12-13',
      '',
      'S3048-ON#',
    ].join('\n');
    const blocks = splitByName(text);
    assert.deepEqual([...blocks.keys()], ['TenGigabitEthernet 1/1', 'TenGigabitEthernet 1/2']);
    assert.deepEqual(parseSwitchport(blocks.get('TenGigabitEthernet 1/1')!), { untagged: [10], tagged: [] });
    assert.deepEqual(parseSwitchport(blocks.get('TenGigabitEthernet 1/2')!), { untagged: [11], tagged: [12, 13] });
  });

  test('a refusal inside a 200 reply is found, with its words', () => {
    const reply = (text: string) =>
      `<output xmlns='http://www.dell.com/ns/dell:0.1/root'><command>${text}</command></output>`;
    assert.equal(cliRefusal(reply('conf\nS3048-ON(conf)#interface vlan 10\nS3048-ON(conf-if-vl-10)#end')), undefined);
    assert.match(
      cliRefusal(reply('conf\n% Error: Te 1/1 Port is untagged in another Vlan.')) ?? '',
      /Port is untagged in another Vlan/,
    );
    assert.equal(cliRefusal('not xml'), undefined);
  });
});

describe('REST addresses', () => {
  test('https://HOST[:PORT] or http://HOST[:PORT], nothing else', () => {
    assert.deepEqual(parseRestAddress('https://sw1.example.org'), { origin: 'https://sw1.example.org', https: true });
    assert.deepEqual(parseRestAddress('http://10.0.0.5:8008/'), { origin: 'http://10.0.0.5:8008', https: false });
    assert.deepEqual(parseRestAddress('https://[2001:db8::1]:8888'), {
      origin: 'https://[2001:db8::1]:8888',
      https: true,
    });
    for (const bad of [
      'sw1',
      'ftp://sw1',
      'https://sw1/rest',
      'https://sw1?x',
      'https://user:pw@sw1',
      'https://sw1:0',
      'https://sw1:65536',
      'https://sw1:80 x',
    ]) {
      assert.throws(
        () => parseRestAddress(bad),
        (e: unknown) => e instanceof SwitchError && e.code === 'invalid',
        bad,
      );
    }
  });
});
