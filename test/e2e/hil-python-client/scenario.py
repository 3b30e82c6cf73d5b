"""HIL's own Python client library (hil.client, from $HIL_SOURCE) driving this project's v0 API: an admin and a
project-user scenario. Run by test/e2e/hil-python-client.test.ts; prints one line per step and exits non-zero at
the first failure. Arguments: ENDPOINT ADMIN_USER ADMIN_PASSWORD."""
import json
import sys
import time

from hil.client.base import FailedAPICallException
from hil.client.client import Client, HTTPResponse, RequestsHTTPClient
from hil.errors import BadArgumentError

ENDPOINT, ADMIN, ADMIN_PW = sys.argv[1:4]
SWITCH_MOCK = 'http://schema.massopencloud.org/haas/v0/switches/mock'
OBM_IPMI = 'http://schema.massopencloud.org/haas/v0/obm/ipmi'


class Py3HTTPClient(RequestsHTTPClient):
    """HIL's RequestsHTTPClient, answering text as under Python 2 (the one shim the client needs for its bodies)."""

    def request(self, *args, **kwargs):
        import requests
        resp = requests.Session.request(self, *args, **kwargs)
        return HTTPResponse(status_code=resp.status_code, headers=resp.headers,
                            body=iter([resp.content.decode('utf-8')]))


def client(user, password):
    http = Py3HTTPClient()
    http.auth = (user, password)
    return Client(ENDPOINT, http), http


def step(msg):
    print('ok - ' + msg)
    sys.stdout.flush()


def fails(error_type, status, fn, *args):
    """The call fails with HIL's error type; `status` is checked by repeating it over plain HTTP (below)."""
    try:
        fn(*args)
    except FailedAPICallException as e:
        assert e.error_type == error_type, '%s%r: %s %s' % (fn.__name__, args, e.error_type, e)
        return str(e)
    raise AssertionError('%s%r succeeded; expected %s' % (fn.__name__, args, error_type))


def status_of(http, method, path, body=None):
    r = RequestsHTTPClient.request(http, method, ENDPOINT + '/v0/' + path,
                                   data=None if body is None else json.dumps(body))
    return r.status_code, json.loads(''.join(c.decode() for c in r.body) or 'null')


def poll_done(c, status_id, what):
    deadline = time.time() + 60
    while True:
        a = c.node.show_networking_action(status_id)
        if a['status'] == 'DONE':
            return a
        assert a['status'] == 'PENDING', '%s: %r' % (what, a)
        assert time.time() < deadline, '%s: still %r after 60 s' % (what, a)
        time.sleep(0.3)


admin, admin_http = client(ADMIN, ADMIN_PW)

# ---- admin: projects, users, switch, ports, nodes, NICs -------------------------------------------------------
assert admin.node.list('all') == []
step("node list all is [] (the install guide's ending)")
admin.project.create('runway')
admin.project.create('lab b')
assert admin.project.list() == ['lab b', 'runway']
fails('DuplicateError', 409, admin.project.create, 'runway')
assert status_of(admin_http, 'PUT', 'project/runway') == (
    409, {'type': 'DuplicateError', 'msg': 'Project runway already exists.'})
step('projects: create, list, DuplicateError 409')

admin.user.create('alice', 'alice-password', False)
admin.user.create('bob', 'bob-password', False)
admin.user.add('alice', 'runway')
admin.user.add('bob', 'lab b')
fails('DuplicateError', 409, admin.user.add, 'alice', 'runway')
fails('NotFoundError', 404, admin.user.add, 'alice', 'nope')
users = admin.user.list()
assert users['alice'] == {'is_admin': False, 'projects': ['runway']}, users
fails('IllegalStateError', 409, admin.user.set_admin, ADMIN, False)
step('users: create, add to project, list; DuplicateError, NotFoundError, IllegalStateError')

admin.switch.register('sw1', SWITCH_MOCK, {'hostname': 'sw1.example.com', 'username': 'admin',
                                           'password': 'switch-pw'})
fails('BadArgumentError', 400, admin.switch.register, 'sw2', 'http://example.com/not-a-switch', {})
assert admin.switch.list() == ['sw1']
admin.port.register('sw1', 'gi1/0/1')
admin.port.register('sw1', 'gi1/0/2')
fails('DuplicateError', 409, admin.port.register, 'sw1', 'gi1/0/1')
shown = admin.switch.show('sw1')
assert shown['name'] == 'sw1' and shown['ports'] == [{'label': 'gi1/0/1'}, {'label': 'gi1/0/2'}], shown
step('switch and ports: register (port names with slashes), show, errors')

# The client registers obmd nodes (HIL >= 0.4); a server without the obmd driver takes HIL's older ipmi body.
try:
    admin.node.register('node-01', 'http://obmd.example.com/node/node-01', 'secret')
    step('node registered with obmd')
except FailedAPICallException as e:
    assert e.error_type == 'BadArgumentError', e.error_type
    for n in ('node-01', 'node-02'):
        code, _ = status_of(admin_http, 'PUT', 'node/' + n, {'obm': {'type': OBM_IPMI, 'host': 'bmc-' + n,
                                                                   'user': 'ADMIN', 'password': 'pw'}})
        assert code == 200, code
    step('nodes registered with the pre-0.4 ipmi body (obmd refused as BadArgumentError)')
else:
    admin.node.register('node-02', 'http://obmd.example.com/node/node-02', 'secret')
admin.node.add_nic('node-01', 'eth0', '52:54:00:00:01:01')
admin.node.add_nic('node-02', 'eth0', '52:54:00:00:02:01')
fails('DuplicateError', 409, admin.node.add_nic, 'node-01', 'eth0', '52:54:00:00:01:01')
admin.port.connect_nic('sw1', 'gi1/0/1', 'node-01', 'eth0')
admin.port.connect_nic('sw1', 'gi1/0/2', 'node-02', 'eth0')
fails('DuplicateError', 409, admin.port.connect_nic, 'sw1', 'gi1/0/1', 'node-02', 'eth0')
admin.node.metadata_set('node-01', 'rack', 'R12')
assert admin.node.list('free') == ['node-01', 'node-02']
n1 = admin.node.show('node-01')
assert n1 == {'name': 'node-01', 'project': None, 'metadata': {'rack': '"R12"'},
              'nics': [{'label': 'eth0', 'macaddr': '52:54:00:00:01:01', 'networks': {},
                        'port': 'gi1/0/1', 'switch': 'sw1'}]}, n1
fails('NotFoundError', 404, admin.node.show, 'nope')
assert status_of(admin_http, 'GET', 'node/nope') == (
    404, {'type': 'NotFoundError', 'msg': 'Node nope does not exist.'})
step('nodes, NICs, cabling, metadata, show; DuplicateError, NotFoundError 404')

admin.project.connect('runway', 'node-01')
admin.project.connect('lab b', 'node-02')
fails('BlockedError', 409, admin.project.connect, 'lab b', 'node-01')
admin.network.create('provider', 'admin', 'runway', '')
assert admin.network.list()['provider']['projects'] == ['runway']
step('nodes into projects; an admin-owned network for runway; BlockedError')

# ---- project user alice --------------------------------------------------------------------------------------
alice, alice_http = client('alice', 'alice-password')
fails('AuthorizationError', 401, alice.project.list)
assert status_of(alice_http, 'GET', 'projects') == (
    401, {'type': 'AuthorizationError', 'msg': 'This operation is administrator-only.'})
fails('AuthorizationError', 401, alice.node.show, 'node-02')
assert alice.project.nodes_in('runway') == ['node-01']
fails('AuthorizationError', 401, alice.project.nodes_in, 'lab b')
n1 = alice.node.show('node-01')
assert 'port' not in n1['nics'][0] and 'switch' not in n1['nics'][0], n1
step('alice: AuthorizationError 401 for admin calls and other projects; no switch/port in her node view')

alice.network.create('runway-net', 'runway', 'runway', '')
fails('BadArgumentError', 400, alice.network.create, 'x', 'runway', 'runway', '3000')
fails('AuthorizationError', 401, alice.network.create, 'y', 'lab b', 'lab b', '')
bob, _ = client('bob', 'bob-password')
bob.network.create('lab-net', 'lab b', 'lab b', '')
assert alice.project.networks_in('runway') == ['provider', 'runway-net']
fails('ProjectMismatchError', 409, alice.node.connect_network, 'node-01', 'eth0', 'lab-net', 'vlan/native')
fails('BadArgumentError', 400, alice.node.connect_network, 'node-01', 'eth0', 'runway-net', 'vlan/9')
step('alice: networks; ProjectMismatchError 409, BadArgumentError 400')

r = alice.node.connect_network('node-01', 'eth0', 'runway-net', 'vlan/native')
assert list(r) == ['status_id'], r
fails('BlockedError', 409, alice.node.connect_network, 'node-01', 'eth0', 'provider', 'vlan/native')
a = poll_done(alice, r['status_id'], 'connect')
assert a == {'status': 'DONE', 'node': 'node-01', 'nic': 'eth0', 'type': 'modify_port',
             'channel': 'vlan/native', 'new_network': 'runway-net'}, a
net = alice.network.show('runway-net')
assert net['connected-nodes'] == {'node-01': ['eth0']} and net['owner'] == 'runway', net
tagged_channel = [ch for ch in net['channels'] if ch != 'vlan/native'][0]
att = alice.network.list_network_attachments('runway-net', 'all')
assert att == {'node-01': {'nic': 'eth0', 'channel': 'vlan/native', 'project': 'runway'}}, att
assert alice.node.show('node-01')['nics'][0]['networks'] == {'vlan/native': 'runway-net'}
fails('BlockedError', 409, alice.node.connect_network, 'node-01', 'eth0', 'runway-net', tagged_channel)
step('alice: connect_network 202, networking action polled PENDING -> DONE, shown on network and node')

prov = [ch for ch in alice.network.show('provider')['channels'] if ch != 'vlan/native'][0]
r = alice.node.connect_network('node-01', 'eth0', 'provider', prov)
poll_done(alice, r['status_id'], 'tagged connect')
assert alice.node.show('node-01')['nics'][0]['networks'] == {'vlan/native': 'runway-net', prov: 'provider'}
fails('BlockedError', 409, admin.project.detach, 'runway', 'node-01')
fails('BlockedError', 409, alice.network.delete, 'runway-net')
step('alice: a tagged network beside the native one; BlockedError while attached')

r = alice.node.detach_network('node-01', 'eth0', 'provider')
a = poll_done(alice, r['status_id'], 'detach')
assert a['new_network'] is None, a
fails('BadArgumentError', 400, alice.node.detach_network, 'node-01', 'eth0', 'provider')
step('alice: detach_network polled to DONE; detaching again is BadArgumentError')

fails('AuthorizationError', 401, alice.port.port_revert, 'sw1', 'gi1/0/1')
r = admin.port.port_revert('sw1', 'gi1/0/1')
a = poll_done(admin, r['status_id'], 'revert')
assert a['type'] == 'revert_port', a
assert alice.node.show('node-01')['nics'][0]['networks'] == {}
fails('NotFoundError', 404, admin.port.port_revert, 'sw1', 'gi1/0/9')
step('admin: port_revert polled to DONE: the NIC is on no network')

# HIL's client checks names before sending anything.
try:
    alice.project.nodes_in('run#way')
    raise AssertionError('a reserved character was sent')
except BadArgumentError:
    pass
step("the client's own reserved-character check (BadArgumentError before any request)")

# ---- teardown, as an admin would ------------------------------------------------------------------------------
alice.project.detach('runway', 'node-01')
fails('NotFoundError', 404, alice.project.detach, 'runway', 'node-01')
alice.network.delete('runway-net')
admin.network.delete('provider')
bob.network.delete('lab-net')
admin.project.detach('lab b', 'node-02')
admin.user.remove('alice', 'runway')
admin.port.detach_nic('sw1', 'gi1/0/1')
admin.node.remove_nic('node-01', 'eth0')
admin.node.delete('node-01')
fails('BlockedError', 409, admin.switch.delete, 'sw1')
admin.project.delete('runway')
assert admin.project.list() == ['lab b']
step('teardown: detach, delete networks, nodes, projects; BlockedError for a switch with ports')
print('scenario complete')
