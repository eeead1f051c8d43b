package io.imago.it.port;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Compares MetaQ's public client API with Imago's, type by type, through reflection: the type named
 * {@code com.taobao.metamorphosis.X} must exist as {@code io.imago.X}; each public (and, for types an
 * application extends, protected) constructor, method and field of the original must exist with the
 * same name and parameter types (package names mapped); a method must return the mapped type; and
 * Imago's must declare no checked exception the original does not (or a ported caller would no longer
 * compile). The result is the sorted list of gaps, one line each. Stateless.
 */
final class MetaqApiSurface {
    private final ClassLoader metaq;
    private final ClassLoader imago;

    MetaqApiSurface(ClassLoader metaq, ClassLoader imago) {
        this.metaq = metaq;
        this.imago = imago;
    }

    static String port(String name) {
        return name.replace(MetaqPrograms.FROM, MetaqPrograms.TO);
    }

    /** Every gap between the original types named (binary names) and their Imago counterparts. */
    List<String> gaps(List<String> originalTypes) throws ClassNotFoundException {
        TreeSet<String> gaps = new TreeSet<>();
        for (String type : originalTypes) {
            compare(Class.forName(type, false, metaq), gaps);
        }
        return new ArrayList<>(gaps);
    }

    private void compare(Class<?> original, Set<String> gaps) {
        Class<?> ported;
        try {
            ported = Class.forName(port(original.getName()), false, imago);
        } catch (ClassNotFoundException e) {
            gaps.add("MISSING TYPE " + port(original.getName()));
            return;
        }
        if (original.isInterface() != ported.isInterface()) {
            gaps.add("KIND " + ported.getName() + (ported.isInterface() ? " is an interface" : " is a class"));
        }
        boolean extensible = original.isInterface() || Modifier.isAbstract(original.getModifiers());
        Map<String, Executable> imagoMembers = new HashMap<>();
        for (Executable e : members(ported, extensible)) {
            imagoMembers.put(signature(e), e);
        }
        for (Executable expected : members(original, extensible)) {
            if (expected.getDeclaringClass() == Object.class) {
                continue;
            }
            String signature = signature(expected);
            Executable actual = imagoMembers.get(signature);
            String where = ported.getName() + "." + signature;
            if (actual == null) {
                gaps.add("MISSING " + where);
                continue;
            }
            for (Class<?> thrown : actual.getExceptionTypes()) {
                if (isChecked(thrown) && !declaredBy(expected, thrown)) {
                    gaps.add("EXTRA CHECKED " + where + " throws " + thrown.getName());
                }
            }
            if (expected instanceof Method m
                    && actual instanceof Method a
                    && !port(m.getReturnType().getName())
                            .equals(a.getReturnType().getName())) {
                gaps.add("RETURN " + where + " returns " + a.getReturnType().getName() + ", MetaQ "
                        + port(m.getReturnType().getName()));
            }
        }
        for (Field field : original.getFields()) {
            try {
                Field actual = ported.getField(field.getName());
                if (!port(field.getType().getName()).equals(actual.getType().getName())) {
                    gaps.add("FIELD TYPE " + ported.getName() + "." + field.getName());
                }
            } catch (NoSuchFieldException e) {
                gaps.add("MISSING FIELD " + ported.getName() + "." + field.getName());
            }
        }
    }

    private static List<Executable> members(Class<?> type, boolean withProtected) {
        List<Executable> members = new ArrayList<>(List.of(type.getMethods()));
        members.addAll(List.of(type.getConstructors()));
        if (withProtected) {
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isProtected(m.getModifiers())) {
                    members.add(m);
                }
            }
        }
        return members;
    }

    private static String signature(Executable e) {
        StringJoiner params = new StringJoiner(",", "(", ")");
        for (Class<?> p : e.getParameterTypes()) {
            params.add(port(p.getTypeName()));
        }
        return (e instanceof Constructor ? "<init>" : e.getName()) + params;
    }

    private static boolean isChecked(Class<?> thrown) {
        return !RuntimeException.class.isAssignableFrom(thrown) && !Error.class.isAssignableFrom(thrown);
    }

    /** Whether the original declares {@code thrown} or a supertype of it (mapped to Imago's types). */
    private boolean declaredBy(Executable original, Class<?> thrown) {
        for (Class<?> declared : original.getExceptionTypes()) {
            try {
                if (Class.forName(port(declared.getName()), false, imago).isAssignableFrom(thrown)) {
                    return true;
                }
            } catch (ClassNotFoundException e) {
                // an original exception type Imago does not have cannot cover one of Imago's
            }
        }
        return false;
    }
}
